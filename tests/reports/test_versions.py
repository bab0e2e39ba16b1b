"""Released means frozen, and versions cannot be differenced (PRODUCT.md promises 6 and 8).

A programme with k = 3 closes with a line manager, 3 peers and 3 direct reports, and its
reports are released (version 1). It is reopened and 1, 2 or 3 more peers respond late.
Fewer than k late responses are held (counted for the admin, never shown); with k of them
a new version is released, and every figure of both versions taken together still passes
the exact check. The leader only ever reads what was released.
"""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from assessments.models import Programme, RaterGroup, Response
from assessments.services.programmes import programme_close, programme_reopen, programme_update
from assessments.services.rating_form import rating_outline
from assessments.services.responses import draft_save, response_submit
from assessments.services.sealing import envelopes_seal
from reports.models import ReportVersion
from reports.versions import late_responses_held, versions_expose
from tests import factories
from tests.assessments.rating.builders import full_answers, invite

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _stand_in_pdf(monkeypatch, settings, tmp_path):
    """The PDFs are not the subject here: a stand-in, in a media folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("reports.services.pdf_render", lambda **kwargs: PDF)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def respond(assessment, group, n, *, value_shift=0, comment="Kind and clear", run):
    outline = rating_outline(framework=assessment.programme.framework)
    for i in range(n):
        invitation, _ = invite(assessment, group=group, email=f"{group}{value_shift}{i}@x.org")
        answers = dict.fromkeys(full_answers(outline), 1 + (i + value_shift) % 5)
        draft_save(
            assessment=assessment,
            invitation=invitation,
            answers=answers,
            comments={str(outline.themes[0].pk): f"{comment} {value_shift}-{i}"},
        )
        run(response_submit, assessment=assessment, invitation=invitation)


@pytest.fixture
def released(framework, leader, programme_admin, run_on_commit):
    """Version 1: released at the close of an on-close programme."""
    programme = factories.ProgrammeFactory(framework=framework, anonymity_threshold=3)
    programme.admins.add(programme_admin)
    assessment = factories.AssessmentFactory(programme=programme, leader=leader)
    factories.ResponseFactory(assessment=assessment, rater_group=RaterGroup.SELF)
    respond(assessment, RaterGroup.LINE_MANAGER, 1, run=run_on_commit)
    respond(assessment, RaterGroup.PEER, 3, run=run_on_commit)
    respond(assessment, RaterGroup.DIRECT_REPORT, 3, value_shift=2, run=run_on_commit)
    run_on_commit(programme_close, programme=programme)
    assessment.refresh_from_db()
    assert ReportVersion.objects.get(assessment=assessment).filled_at is not None
    return assessment


def leader_page(client, assessment):
    theme = assessment.programme.framework.themes.order_by("order").first()
    page = client.get(reverse("reports:theme", args=[assessment.pk, theme.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def shapes(assessment):
    return list(
        ReportVersion.objects.filter(assessment=assessment)
        .order_by("number")
        .values_list("shown", flat=True)
    )


def test_the_deadline_cannot_move_after_the_close_time(programme, programme_admin):
    later = programme.closes_at + timedelta(days=7)
    programme_update(programme=programme, closes_at=later, by=programme_admin)  # still open
    Programme.objects.filter(pk=programme.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    programme.refresh_from_db()
    assert programme.closed_at is None  # the close task has not run yet
    with pytest.raises(ValidationError) as refused:
        programme_update(programme=programme, closes_at=later, by=programme_admin)
    assert "reopen the programme" in str(refused.value)


def test_the_leader_reads_the_released_snapshot_not_a_live_computation(client, released, leader):
    client.force_login(leader)
    before = leader_page(client, released)
    assert "Kind and clear" in before
    # Anything changing underneath (here: a response appearing directly) changes nothing.
    statements = released.programme.framework.themes.first().qualities.first().statements
    factories.ResponseFactory(
        assessment=released, rater_group=RaterGroup.PEER, values=dict.fromkeys(statements.all(), 1)
    )
    assert leader_page(client, released) == before
    theme = released.programme.framework.themes.order_by("order").first()
    pdf = client.get(reverse("reports:download", args=[released.pk, theme.slug]))
    assert b"".join(pdf.streaming_content) == PDF


@pytest.mark.parametrize("late", [1, 2])
def test_fewer_than_k_late_responses_are_held(
    client, released, leader, programme_admin, run_on_commit, late
):
    client.force_login(leader)
    before = leader_page(client, released)
    programme = released.programme
    programme_reopen(
        programme=programme,
        closes_at=timezone.now() + timedelta(days=3),
        reason="Two raters were on leave",
        by=programme_admin,
    )
    assert AuditEvent.objects.filter(action=AuditAction.PROGRAMME_REOPENED).count() == 1
    respond(released, RaterGroup.PEER, late, value_shift=4, comment="Late", run=run_on_commit)
    run_on_commit(programme_close, programme=Programme.objects.get(pk=programme.pk))

    assert ReportVersion.objects.filter(assessment=released).count() == 1
    assert Response.objects.filter(assessment=released, held=True).count() == late
    assert leader_page(client, released) == before
    held = late_responses_held(assessment=released)
    assert held.text == f"{late} late response{'s' if late > 1 else ''} held until 3 have arrived"
    client.force_login(programme_admin)
    admin_page = client.get(reverse("reports:admin_assessment", args=[released.pk]))
    assert held.text in admin_page.content.decode()
    assert not versions_expose(assessment=released, shapes=shapes(released))


def test_k_late_responses_make_a_new_version_that_passes_the_check_with_the_first(
    client, released, leader, programme_admin, run_on_commit
):
    client.force_login(leader)
    before = leader_page(client, released)
    programme = released.programme
    programme_reopen(
        programme=programme,
        closes_at=timezone.now() + timedelta(days=3),
        reason="More peers asked to respond",
        by=programme_admin,
    )
    respond(released, RaterGroup.PEER, 3, value_shift=4, comment="Late", run=run_on_commit)
    run_on_commit(programme_close, programme=Programme.objects.get(pk=programme.pk))

    versions = ReportVersion.objects.filter(assessment=released).order_by("number")
    assert [v.number for v in versions] == [1, 2]
    assert all(v.filled_at for v in versions)
    assert not Response.objects.filter(assessment=released, held=True).exists()
    after = leader_page(client, released)
    assert after != before and "Late 4-0" in after
    assert not versions_expose(assessment=released, shapes=shapes(released))


def test_the_check_across_versions_catches_a_single_late_rater(
    released, programme_admin, run_on_commit
):
    """The check itself: a version with one more peer than the first exposes that peer."""
    from reports.versions import report_shape

    programme_reopen(
        programme=released.programme,
        closes_at=timezone.now() + timedelta(days=3),
        reason="One more",
        by=programme_admin,
    )
    respond(released, RaterGroup.PEER, 1, value_shift=4, run=run_on_commit)
    envelopes_seal(programme_id=released.programme_id, final=True)
    assert Response.objects.filter(assessment=released, held=True).count() == 1
    # Sealing the one late peer rewrote the peer group with new ids; version 1 follows them.
    first = shapes(released)
    assert set(first[0]["units"]) <= {
        str(pk) for pk in Response.objects.values_list("pk", flat=True)
    }
    Response.objects.filter(assessment=released).update(held=False)
    _, candidate = report_shape(assessment=released)
    assert not versions_expose(assessment=released, shapes=[candidate])  # alone: fine
    assert versions_expose(assessment=released, shapes=[*first, candidate])


def test_a_reopen_needs_a_reason_and_a_future_close(released, programme_admin):
    with pytest.raises(ValidationError) as refused:
        programme_reopen(
            programme=released.programme,
            closes_at=timezone.now() - timedelta(days=1),
            reason="",
            by=programme_admin,
        )
    assert set(refused.value.message_dict) == {"reason", "closes_at"}
