"""The development plan: 2-5 goals tied to qualities, saved as drafts, submitted, commented
on by the facilitator, exported as a PDF; admins see whether, never what."""

import io
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader

from development.models import DevelopmentPlan, Goal
from development.selectors import goals_private, plan_overview
from framework.models import Quality
from tests.factories import UserFactory

from .conftest import goal_post

SECRET = "wants to stop interrupting juniors"


@pytest.fixture
def qualities(framework):
    found = Quality.objects.filter(theme__framework=framework)
    return list(found.order_by("theme__order", "order"))


@pytest.fixture
def in_a_month():
    return timezone.localdate() + timedelta(days=30)


def _url(assessment, who="leader"):
    prefix = "" if who == "leader" else "facilitator/"
    return f"/development/{prefix}{assessment.pk}/plan/"


def _three_goals(qualities, review_on):
    data = {}
    for n in (1, 2, 3):
        data |= goal_post(n, quality=qualities[n], review_on=review_on)
    data["goal1-goal"] = f"I {SECRET}"
    return data


def test_a_draft_keeps_an_incomplete_goal(client, leader, released, qualities):
    client.force_login(leader)
    response = client.post(
        _url(released),
        {"goal1-goal": "Listen more", "goal1-quality": str(qualities[0].pk), "draft": "1"},
        follow=True,
    )
    assert "Your draft has been saved" in response.content.decode()
    plan = DevelopmentPlan.objects.get(assessment=released)
    assert plan.submitted_at is None
    goal = plan.goals.get()
    assert (goal.position, goal.goal, goal.quality, goal.review_on) == (
        1,
        "Listen more",
        qualities[0],
        None,
    )
    assert "Listen more" in client.get(_url(released)).content.decode()


def test_submitting_three_complete_goals(client, leader, released, qualities, in_a_month):
    client.force_login(leader)
    response = client.post(
        _url(released), {**_three_goals(qualities, in_a_month), "submit": "1"}, follow=True
    )
    assert "Your plan has been submitted" in response.content.decode()
    plan = DevelopmentPlan.objects.get(assessment=released)
    assert plan.submitted_at is not None
    goals = list(plan.goals.order_by("position"))
    assert [g.quality for g in goals] == qualities[1:4]
    assert {g.review_on for g in goals} == {in_a_month}
    assert goals[1].success_measure == "Measure 2"


def test_submitting_needs_two_goals_and_keeps_what_was_typed(
    client, leader, released, qualities, in_a_month
):
    client.force_login(leader)
    data = goal_post(1, quality=qualities[0], review_on=in_a_month, goal=SECRET)
    response = client.post(_url(released), {**data, "submit": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter at least 2 goals before you submit your plan" in page
    assert SECRET in page and f'value="{in_a_month.year}"' in page
    assert not DevelopmentPlan.objects.exists()


def test_a_submitted_goal_must_be_complete(client, leader, released, qualities, in_a_month):
    client.force_login(leader)
    data = _three_goals(qualities, in_a_month) | {"goal2-actions": "", "goal3-quality": ""}
    page = client.post(_url(released), {**data, "submit": "1"}).content.decode()
    assert "Goal 2: Enter what you will do" in page
    assert "Goal 3: Choose the quality this goal is about" in page
    assert 'href="#id_goal2-actions"' in page
    assert not DevelopmentPlan.objects.exists()
    # The same goals as a draft: saved as typed.
    client.post(_url(released), {**data, "draft": "1"})
    assert Goal.objects.filter(plan__assessment=released).count() == 3


def test_a_review_date_must_be_in_the_future(client, leader, released, qualities):
    client.force_login(leader)
    today = timezone.localdate()
    data = _three_goals(qualities, today + timedelta(days=10))
    data |= goal_post(2, quality=qualities[2], review_on=today)
    page = client.post(_url(released), {**data, "draft": "1"}).content.decode()
    assert "Goal 2: The review date must be in the future" in page
    assert not DevelopmentPlan.objects.exists()


def test_no_more_than_five_goals_fit(client, leader, released, qualities, in_a_month):
    client.force_login(leader)
    data = {}
    for n in range(1, 7):
        data |= goal_post(n, quality=qualities[n], review_on=in_a_month)
    client.post(_url(released), {**data, "submit": "1"})
    # The page has five goals: a sixth posted by hand is ignored.
    assert Goal.objects.filter(plan__assessment=released).count() == 5


def test_there_is_no_plan_before_the_reports_are_released(client, leader, assessment, qualities):
    client.force_login(leader)
    page = client.get(_url(assessment)).content.decode()
    client.post(_url(assessment), {"goal1-goal": "Early", "draft": "1"})
    assert "once your reports are released" in page
    assert not DevelopmentPlan.objects.exists()


def test_the_facilitator_comments_and_the_leader_reads_it(
    client, leader, facilitator, released, qualities, in_a_month
):
    client.force_login(leader)
    client.post(_url(released), {**_three_goals(qualities, in_a_month), "submit": "1"})
    goals = list(Goal.objects.filter(plan__assessment=released).order_by("position"))

    client.force_login(facilitator)
    page = client.get(_url(released, "facilitator")).content.decode()
    assert SECRET in page
    client.post(
        _url(released, "facilitator"),
        {f"comment-{goals[0].pk}": "Try a listening log.", f"comment-{goals[1].pk}": ""},
    )

    goals[0].refresh_from_db()
    assert goals[0].facilitator_comment == "Try a listening log." and goals[0].commented_at
    client.force_login(leader)
    assert "Try a listening log." in client.get(_url(released)).content.decode()
    # The leader saving the plan again keeps the comment.
    client.post(_url(released), {**_three_goals(qualities, in_a_month), "submit": "1"})
    goals[0].refresh_from_db()
    assert goals[0].facilitator_comment == "Try a listening log."


def test_admins_see_whether_there_is_a_plan_never_what_it_says(
    client, leader, programme_admin, other_facilitator, released, qualities, in_a_month
):
    client.force_login(leader)
    client.post(_url(released), {**_three_goals(qualities, in_a_month), "submit": "1"})
    superuser = UserFactory(is_superuser=True, is_staff=True)

    for person in (programme_admin, other_facilitator, superuser):
        client.force_login(person)
        for url in (
            _url(released),
            _url(released, "facilitator"),
            f"{_url(released)}download/",
            f"{_url(released, 'facilitator')}download/",
        ):
            assert client.get(url).status_code == 404, (person, url)
        with pytest.raises(Http404):
            goals_private(user=person, assessment=released)

    client.force_login(programme_admin)
    page = client.get(f"/development/staff/programmes/{released.programme_id}/plans/")
    text = page.content.decode()
    assert "Submitted, 3 goals" in text
    assert SECRET not in text and "Measure 1" not in text and qualities[1].name not in text
    assert plan_overview(programme=released.programme)[released.pk] == {
        "debriefed_on": None,
        "plan": True,
        "submitted": True,
        "goals": 3,
    }


def test_the_plan_downloads_as_a_pdf(
    client, leader, facilitator, released, qualities, in_a_month, fake_pdf
):
    client.force_login(leader)
    assert client.get(f"{_url(released)}download/").status_code == 302  # no plan yet
    client.post(_url(released), {**_three_goals(qualities, in_a_month), "submit": "1"})

    for person, url in ((leader, _url(released)), (facilitator, _url(released, "facilitator"))):
        client.force_login(person)
        response = client.get(f"{url}download/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert b"Development plan for Alex Leader" in response.content


@pytest.mark.real_pdf
def test_the_pdf_holds_the_goals(client, leader, released, qualities, in_a_month):
    client.force_login(leader)
    client.post(_url(released), {**_three_goals(qualities, in_a_month), "submit": "1"})
    response = client.get(f"{_url(released)}download/")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Goal 3" in text and qualities[3].name in " ".join(text.split())
    assert SECRET in " ".join(text.split())


def test_a_cleared_goal_goes_with_its_comment_and_the_others_keep_theirs(
    client, leader, facilitator, released, qualities, in_a_month
):
    client.force_login(leader)
    data = _three_goals(qualities, in_a_month)
    client.post(_url(released), {**data, "submit": "1"})
    goals = {g.position: g for g in Goal.objects.filter(plan__assessment=released)}
    client.force_login(facilitator)
    client.post(
        _url(released, "facilitator"),
        {f"comment-{goals[2].pk}": "On goal two.", f"comment-{goals[3].pk}": "On goal three."},
    )

    client.force_login(leader)
    cleared = {k: "" for k in data if k.startswith("goal2-")}
    client.post(_url(released), {**data, **cleared, "draft": "1"})

    kept = {g.position: g for g in Goal.objects.filter(plan__assessment=released)}
    assert set(kept) == {1, 3}
    assert kept[3].facilitator_comment == "On goal three." and kept[3].goal == "Goal text 3"
    assert not Goal.objects.filter(facilitator_comment="On goal two.").exists()


def test_a_reopen_does_not_take_the_plan_away(client, leader, released, qualities, in_a_month):
    from reports.models import ReportVersion

    ReportVersion.objects.create(assessment=released, number=1, released_at=timezone.now())
    client.force_login(leader)
    client.post(_url(released), {**_three_goals(qualities, in_a_month), "submit": "1"})
    # An admin reopens the reports: the leader keeps the version released to them.
    released.released_at, released.reopened_at = None, timezone.now()
    released.save()

    page = client.get(_url(released)).content.decode()
    assert SECRET in page and "once your reports are released" not in page
