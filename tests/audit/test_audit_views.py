"""The programme's audit log page: what an admin reads, newest first, a page at a time."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from accounts.audit import audit_record, person_ref
from accounts.models import AuditAction
from assessments.views.audit import EVENTS_PER_PAGE
from tests.factories import ProgrammeFactory


def test_the_log_lists_the_programmes_events_newest_first(
    programme_admin_client, framework, programme, programme_admin, leader
):
    start = timezone.now() - timedelta(hours=2)
    with time_machine.travel(start):
        audit_record(
            actor=programme_admin,
            action=AuditAction.REPORT_VIEWED,
            programme=programme,
            obj=leader,
            detail={"leader": person_ref(leader), "theme": "Being"},
        )
    with time_machine.travel(start + timedelta(hours=1)):
        audit_record(
            actor=programme_admin,
            action=AuditAction.REOPENED,
            programme=programme,
            obj=leader,
            detail={"leader": person_ref(leader), "reason": "A name in a comment"},
        )
    audit_record(
        actor=programme_admin,
        action=AuditAction.EXPORT_REQUESTED,
        programme=ProgrammeFactory(framework=framework, name="Not this one"),
    )

    page = programme_admin_client.get(f"/programmes/{programme.pk}/audit/").content.decode()

    reopened = page.index("Reports of Alex Leader reopened. Reason: A name in a comment")
    viewed = page.index("Being report of Alex Leader")
    assert reopened < viewed
    assert "Pat Admin (pat.admin@example.nhs.uk)" in page
    assert "Not this one" not in page and "Cohort export requested" not in page


def test_the_log_is_paginated(programme_admin_client, programme, programme_admin):
    for _ in range(EVENTS_PER_PAGE + 1):
        audit_record(actor=programme_admin, action=AuditAction.RELEASED, programme=programme)

    first = programme_admin_client.get(f"/programmes/{programme.pk}/audit/").content.decode()
    second = programme_admin_client.get(
        f"/programmes/{programme.pk}/audit/?page=2"
    ).content.decode()
    nonsense = programme_admin_client.get(f"/programmes/{programme.pk}/audit/?page=zzz")

    assert first.count("Every leader&#x27;s reports released") == EVENTS_PER_PAGE
    assert second.count("Every leader&#x27;s reports released") == 1
    assert nonsense.status_code == 200


def test_an_empty_log_says_so(programme_admin_client, programme):
    page = programme_admin_client.get(f"/programmes/{programme.pk}/audit/")

    assert "Nothing has been recorded for this programme yet." in page.content.decode()


def test_the_programme_page_links_to_the_log(programme_admin_client, programme):
    page = programme_admin_client.get(f"/programmes/{programme.pk}/")

    assert f"/programmes/{programme.pk}/audit/" in page.content.decode()


def test_the_log_query_count_does_not_grow_with_events(
    programme_admin_client, programme, programme_admin, django_assert_max_num_queries
):
    for _ in range(30):
        audit_record(actor=programme_admin, action=AuditAction.RELEASED, programme=programme)

    with django_assert_max_num_queries(8):
        programme_admin_client.get(f"/programmes/{programme.pk}/audit/")
