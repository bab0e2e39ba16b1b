"""The quick start's demo data shows every screen: a closed cohort and one mid-cycle."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from accounts.models import OutboxEmail, User
from assessments.models import Assessment, Invitation, Programme, RaterGroup, Response
from assessments.services.reminders import reminder_round_send
from reports.models import ThemeReport


@pytest.mark.django_db
def test_demo_has_a_released_cohort_and_raters_in_every_state(
    settings, capsys, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    out = capsys.readouterr().out
    closed = Programme.objects.get(name="Demo cohort 1 (closed)")
    assert closed.is_closed and closed.released_at
    assert closed.assessments.count() >= 12
    assert (
        Response.objects.filter(assessment__programme=closed, rater_group=RaterGroup.SELF).count()
        == closed.assessments.count()
    )
    alex_reports = ThemeReport.objects.filter(
        assessment__programme=closed, assessment__leader__full_name="Alex Morgan"
    )
    assert sorted(alex_reports.values_list("status", flat=True)) == ["ready"] * 4
    # Only Alex's four PDFs are rendered (real ones); the admin generates the rest.
    media = Path(settings.MEDIA_ROOT)
    rendered = sorted(
        p
        for p in media.rglob("*.pdf")
        if "released" not in p.parts and p.parts[-3] == str(closed.pk)
    )
    assert rendered == sorted(Path(settings.MEDIA_ROOT, r.file.name) for r in alex_reports)
    # ...and released to Alex as they are: the version Alex reads holds the same four.
    alex_closed = alex_reports.first().assessment_id
    released = sorted(media.glob(f"reports/released/{alex_closed}/v1/*.pdf"))
    summary = [p for p in released if p.name == "summary.pdf"]
    released = [p for p in released if p.name != "summary.pdf"]
    assert len(released) == 4 and len(summary) == 1  # the summary is released with them
    assert {p.read_bytes() for p in released} == {p.read_bytes() for p in rendered}
    assert "Alex Morgan" in PdfReader(rendered[0]).pages[0].extract_text()
    # Alex's 4 theme PDFs ran to 43 pages before the layout was tightened (issue 14): 22 now.
    assert sum(len(PdfReader(p).pages) for p in rendered) <= 23
    assert (
        not ThemeReport.objects.filter(assessment__programme=closed)
        .exclude(pk__in=alex_reports)
        .exists()
    )

    open_programme = Programme.objects.get(name="Demo cohort 2 (open)")
    assert open_programme.is_open
    alex = Assessment.objects.get(programme=open_programme, leader__full_name="Alex Morgan")
    states = set(alex.invitations.values_list("state", flat=True))
    assert states == {state.value for state in Invitation.State}
    assert alex.responses.filter(rater_group=RaterGroup.SELF).exists()
    assert alex.drafts.filter(invitation__state=Invitation.State.STARTED).exists()

    # The programme page's "Send reminders" has a round to send: Alex's raters who have not
    # finished (invited days ago), and the leaders with work left.
    admin = User.objects.get(email="admin@demo.lpc360.test")
    reminders_before = OutboxEmail.objects.count()
    round_ = reminder_round_send(programme=open_programme, by=admin)
    assert set(round_.reminders.values_list("invitation__state", flat=True)) == {
        "invited",
        "started",
    }
    leaders = OutboxEmail.objects.filter(kind="leader_reminder").values_list("to", flat=True)
    assert {"priya.shah@demo.lpc360.test", "tom.okafor@demo.lpc360.test"} <= set(leaders)
    assert OutboxEmail.objects.count() > reminders_before

    for expected in (
        "admin@demo.lpc360.test",
        "facilitator@demo.lpc360.test",
        "alex.morgan@demo.lpc360.test",
        "/feedback/",
    ):
        assert expected in out

    responses = Response.objects.count()
    call_command("load_demo")  # a second run adds nothing
    assert Programme.objects.count() == 3  # with the follow-up (tests/followup)
    assert Response.objects.count() == responses


@pytest.mark.django_db
def test_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
