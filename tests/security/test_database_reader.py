"""A database administrator tries to tell who wrote which response (PRODUCT.md promise 5).

A programme of 3 leaders x 8 raters (a line manager, 4 peers, 3 direct reports) submits in a
random interleaved order at different times through the real rater links, and closes. Then
everything a database reader has is read: every table's rows, ``xmin`` and ``ctid``, ids,
timestamps, sessions, the outbox, the audit log, dead rows (``pageinspect``) and the Redis
keys. For every anonymous Response, the invitations consistent with all of it are those of
its assessment and group submitted after the group's previous sealing batch and before its
own; there must be at least k of them. The line manager is identified anyway.
"""

import random
from collections import defaultdict
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from assessments.models import Invitation, RaterGroup, Response
from assessments.services.programmes import programme_close
from assessments.services.rating_form import rating_outline
from assessments.services.responses import draft_save, response_submit
from tests import factories
from tests.assessments.rating.builders import full_answers, invite
from tests.services import REDIS_URL, redis_answers

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin, ctid: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
GROUPS = [RaterGroup.LINE_MANAGER] + [RaterGroup.PEER] * 4 + [RaterGroup.DIRECT_REPORT] * 3
ANSWER_TABLES = {"assessments_response", "assessments_rating", "assessments_themecomment"}


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def submitted_programme(framework, client, monkeypatch):
    """3 leaders x 8 raters, submitted one by one in a random order, then closed. (The
    reports rendered at the close are not the subject: a stand-in PDF.)"""
    monkeypatch.setattr("reports.services.pdf_render", lambda **kwargs: b"%PDF-1.4\n%%EOF\n")
    programme = factories.ProgrammeFactory(framework=framework, anonymity_threshold=3)
    outline = rating_outline(framework=framework)
    raters = []
    for n in range(3):
        assessment = factories.AssessmentFactory(programme=programme)
        for i, group in enumerate(GROUPS):
            raters.append(invite(assessment, group=group, email=f"r{n}-{i}@example.org"))
    random.Random(7).shuffle(raters)
    start = timezone.now()
    for minutes, (invitation, token) in enumerate(raters):
        with time_machine.travel(start + timedelta(minutes=37 * minutes), tick=False):
            client.get(f"/feedback/{token}/")  # the rater opens their link, as in the email
            draft_save(
                assessment=invitation.assessment,
                invitation=invitation,
                answers=full_answers(outline),
                comments={str(outline.themes[0].pk): f"Comment {minutes}"},
            )
            response_submit(assessment=invitation.assessment, invitation=invitation)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        programme_close(programme=programme)
    return programme


def test_no_response_can_be_matched_to_fewer_than_k_invitations(submitted_programme):
    k = submitted_programme.anonymity_threshold
    invitations = rows(
        "SELECT id, assessment_id, rater_group, xmin::text::bigint FROM assessments_invitation "
        "WHERE state = %s",
        [Invitation.State.SUBMITTED],
    )
    responses = rows(
        "SELECT id, assessment_id, rater_group, xmin::text::bigint FROM assessments_response "
        "WHERE rater_group <> %s",
        [RaterGroup.SELF],
    )
    assert len(invitations) == len(responses) == 24
    batches = defaultdict(set)
    for _, assessment_id, group, xid in responses:
        batches[(assessment_id, group)].add(xid)
    checked = 0
    for response_id, assessment_id, group, xid in responses:
        if group == RaterGroup.LINE_MANAGER:
            continue
        earlier = [b for b in batches[(assessment_id, group)] if b < xid]
        after = max(earlier, default=0)
        candidates = [
            pk
            for pk, a, g, submitted in invitations
            if a == assessment_id and g == group and after < submitted < xid
        ]
        assert len(candidates) >= k, (response_id, candidates)
        checked += 1
    assert checked == 3 * 7


def test_no_other_row_shares_a_transaction_with_a_sealing_batch(submitted_programme):
    batch_xids = {row[0] for row in rows("SELECT DISTINCT xmin::text FROM assessments_response")}
    tables = [
        name
        for (name,) in rows(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    sharing = set()
    for table in tables:
        found = rows(f'SELECT DISTINCT xmin::text FROM "{table}"')  # noqa: S608 - catalogue names
        if batch_xids & {xid for (xid,) in found}:
            sharing.add(table)
    assert sharing <= ANSWER_TABLES


def test_nothing_dated_or_ordered_is_left_on_the_answers(submitted_programme):
    columns = rows(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ANY(%s)",
        [sorted(ANSWER_TABLES)],
    )
    dated = {(t, c) for t, c, kind in columns if "time" in kind or kind == "date"}
    assert dated == {("assessments_themecomment", "redacted_at")}
    kinds = {(t, c): kind for t, c, kind in columns if c == "id"}
    assert set(kinds.values()) == {"uuid"}
    sequences = rows(
        "SELECT sequencename FROM pg_sequences WHERE sequencename LIKE ANY(%s)",
        [["assessments_response%", "assessments_rating%", "assessments_themecomment%"]],
    )
    assert sequences == []


def test_no_dead_rows_hold_answers_or_envelopes(submitted_programme):
    rows("CREATE EXTENSION IF NOT EXISTS pageinspect")
    for table in ("assessments_envelope", "assessments_draft"):
        assert rows(f'SELECT count(*) FROM "{table}"') == [(0,)]  # noqa: S608
        pages = rows("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
        for page in range(pages[0][0]):
            items = rows(
                "SELECT count(*) FROM heap_page_items(get_raw_page(%s, %s)) "
                "WHERE t_data IS NOT NULL",
                [table, page],
            )
            assert items == [(0,)], (table, page)


def test_sessions_outbox_audit_and_redis_name_no_response(submitted_programme):
    from django.contrib.sessions.models import Session

    from accounts.models import AuditEvent, OutboxEmail

    response_ids = {str(pk) for pk in Response.objects.values_list("pk", flat=True)}
    texts = [str(s.get_decoded()) for s in Session.objects.all()]
    texts += [str(row) for row in OutboxEmail.objects.values_list("kind", "context")]
    texts += [str(row) for row in AuditEvent.objects.values_list("action", "detail")]
    if redis_answers(REDIS_URL):
        import redis

        store = redis.Redis.from_url(REDIS_URL)
        texts += [key.decode(errors="replace") for key in store.scan_iter(count=1000)]
    assert not [t for t in texts if any(pk in t for pk in response_ids)]
    # Nothing is written to the outbox or the audit log when a rater submits.
    assert not OutboxEmail.objects.exclude(kind="rater_invitation").exists()
    early = AuditEvent.objects.filter(at__lt=submitted_programme.closed_at)
    assert not list(early.values_list("action", "at", "detail"))
