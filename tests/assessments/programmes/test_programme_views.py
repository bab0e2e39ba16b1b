"""Programme admins create programmes, add leaders, watch progress and close; scoped to theirs."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import OutboxEmail, Role
from assessments.models import Assessment, NominationRule, Programme, RaterGroup
from tests.factories import AssessmentFactory, ProgrammeFactory, ResponseFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


def date_time_parts(name, day, month, year, clock) -> dict:
    """What the browser posts for an NHS.UK date input and its time box."""
    return {f"{name}_0": day, f"{name}_1": month, f"{name}_2": year, f"{name}_3": clock}


def programme_post(framework_obj, /, **overrides):
    data = {
        "name": "North East cohort 3",
        "framework": framework_obj.pk,
        **date_time_parts("opens_at", "1", "12", "2026", "09:00"),
        **date_time_parts("closes_at", "15", "1", "2027", "17:00"),
        "anonymity_threshold": "3",
        "minimum_raters": "5",
        "release_mode": "on_close",
        "reminder_days": "7, 3, 1",
        "retention_days": "365",
        "line_manager_min": "1",
        "line_manager_max": "2",
        "peer_min": "3",
        "peer_max": "8",
        "direct_report_min": "0",
        "direct_report_max": "8",
        "other_min": "0",
        "other_max": "8",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_programme_with_rules_and_runs_it(
    programme_admin_client, framework, programme_admin
):
    response = programme_admin_client.post(
        reverse("programmes:new"), programme_post(framework, peer_min="4", reminder_days="3,7")
    )
    programme = Programme.objects.get(name="North East cohort 3")
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:detail", args=[programme.pk])
    assert programme.opens_at == datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)
    assert programme.reminder_days == [7, 3]
    assert list(programme.admins.all()) == [programme_admin]
    rules = {r.rater_group: (r.minimum, r.maximum) for r in programme.nomination_rules.all()}
    assert rules == {
        "line_manager": (1, 2),
        "peer": (4, 8),
        "direct_report": (0, 8),
        "other": (0, 8),
    }


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"anonymity_threshold": "2"}, "anonymity_threshold", "must be 3 or more"),
        (
            date_time_parts("closes_at", "1", "11", "2026", "09:00"),
            "closes_at",
            "after the open date",
        ),
        ({"peer_min": "9"}, "peer_min", "cannot be more than the most"),
        ({"reminder_days": "seven"}, "reminder_days", "whole numbers of days"),
        ({"name": ""}, "name", "Enter a name for the programme"),
        ({"framework": "999999"}, "framework", "Choose one of the frameworks listed"),
        (
            date_time_parts("opens_at", "", "", "", ""),
            "opens_at",
            "Enter the date and time the programme opens",
        ),
        (
            date_time_parts("opens_at", "12", "", "", "09:00"),
            "opens_at",
            "The date the programme opens must include a month and a year",
        ),
        (
            date_time_parts("opens_at", "30", "2", "2027", "09:00"),
            "opens_at",
            "The date the programme opens must be a real date",
        ),
        (
            date_time_parts("opens_at", "1", "2", "27", "09:00"),
            "opens_at",
            "The year the programme opens must include 4 numbers",
        ),
        (
            date_time_parts("opens_at", "1", "12", "2026", ""),
            "opens_at",
            "Enter the time the programme opens, like 09:00",
        ),
        (
            date_time_parts("closes_at", "1", "12", "2026", "25:00"),
            "closes_at",
            "Enter the time the programme closes as hours and minutes",
        ),
        ({"minimum_raters": ""}, "minimum_raters", "Enter the fewest raters each leader"),
        ({"peer_max": "x"}, "peer_max", "Enter the most peer raters as a whole number"),
        ({"other_max": "99"}, "other_max", "The most other raters must be 50 or fewer"),
    ],
)
def test_bad_programme_settings_are_explained_and_kept(
    programme_admin_client, framework, override, field, message
):
    data = programme_post(framework, **override)
    response = programme_admin_client.post(reverse("programmes:new"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "nhsuk-error-summary" in response.content.decode()
    assert response.context["form"].errors[field]
    assert "North East cohort 3" in response.content.decode() or field == "name"
    assert "This field is required" not in response.content.decode()
    # Every date box comes back as it was typed.
    for key, value in data.items():
        if key.startswith(("opens_at_", "closes_at_")) and value:
            assert f'name="{key}" type="text"' in response.content.decode()
            assert f'value="{value}"' in response.content.decode()
    assert not Programme.objects.exists()


def test_an_edit_form_shows_the_saved_moments_in_uk_time(programme_admin_client, programme):
    programme.opens_at = datetime(2026, 7, 1, 9, 30, tzinfo=LONDON)  # BST
    programme.save()
    html = programme_admin_client.get(
        reverse("programmes:edit", args=[programme.pk])
    ).content.decode()
    for index, value in enumerate(("1", "7", "2026", "09:30")):
        assert f'id="id_opens_at_{index}" name="opens_at_{index}" type="text"' in html
        box = html.split(f'id="id_opens_at_{index}"', 1)[1].split(">", 1)[0]
        assert f'value="{value}"' in box


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("9:05", (9, 5)),
        ("17.30", (17, 30)),
        ("5:30pm", (17, 30)),
        ("12am", (0, 0)),
        ("midday", (12, 0)),
        ("9am", (9, 0)),
    ],
)
def test_times_are_read_the_ways_people_write_them(typed, clock):
    from nhsuk.fields import parse_time

    found = parse_time(typed)
    assert (found.hour, found.minute) == clock


@pytest.mark.parametrize("typed", ["9", "24:00", "13pm", "0am", "nine", "9:60"])
def test_times_that_are_not_times_are_refused(typed):
    from nhsuk.fields import parse_time

    assert parse_time(typed) is None


def test_only_programme_admins_may_create(client, leader, framework):
    client.force_login(leader)
    assert client.get(reverse("programmes:new")).status_code == 403
    assert client.post(reverse("programmes:new"), programme_post(framework)).status_code == 403
    assert not Programme.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, programme):
    response = client.get(reverse("programmes:detail", args=[programme.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_admin_sees_only_their_programmes(programme_admin_client, programme, framework):
    other = ProgrammeFactory(framework=framework, name="Someone else's cohort")
    listing = programme_admin_client.get(reverse("programmes:list")).content.decode()
    assert programme.name in listing
    assert other.name not in listing
    for name in ("detail", "edit", "leader_add"):
        assert (
            programme_admin_client.get(reverse(f"programmes:{name}", args=[other.pk])).status_code
            == 404
        )
    assert (
        programme_admin_client.post(reverse("programmes:close", args=[other.pk])).status_code == 404
    )
    assert (
        programme_admin_client.get(reverse("programmes:detail", args=[987654])).status_code == 404
    )
    other.refresh_from_db()
    assert other.closed_at is None


def test_admin_adds_a_leader_who_is_sent_an_account_invitation(programme_admin_client, programme):
    response = programme_admin_client.post(
        reverse("programmes:leader_add", args=[programme.pk]),
        {"full_name": "Sam Okafor", "email": "Sam.Okafor@Example.NHS.uk"},
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(programme=programme)
    assert assessment.leader.email == "sam.okafor@example.nhs.uk"
    assert not assessment.leader.has_usable_password()
    assert assessment.leader.has_role(Role.LEADER)
    email = OutboxEmail.objects.get(to="sam.okafor@example.nhs.uk")
    assert email.kind == "account_invitation"

    again = programme_admin_client.post(
        reverse("programmes:leader_add", args=[programme.pk]),
        {"full_name": "Sam Okafor", "email": "sam.okafor@example.nhs.uk"},
    )
    assert again.status_code == 200
    assert "already a leader in this programme" in again.content.decode()
    assert Assessment.objects.filter(programme=programme).count() == 1


def test_leader_add_rejects_a_bad_email_and_keeps_the_name(programme_admin_client, programme):
    response = programme_admin_client.post(
        reverse("programmes:leader_add", args=[programme.pk]),
        {"full_name": "Sam Okafor", "email": "sam at example"},
    )
    assert response.status_code == 200
    assert 'value="Sam Okafor"' in response.content.decode()
    assert not Assessment.objects.exists()


def test_dashboard_shows_progress_per_leader(programme_admin_client, programme):
    assessment = AssessmentFactory(programme=programme, leader__full_name="Rowan Patel")
    ResponseFactory(assessment=assessment, rater_group=RaterGroup.SELF)
    ResponseFactory(assessment=assessment, rater_group=RaterGroup.PEER)
    page = programme_admin_client.get(
        reverse("programmes:detail", args=[programme.pk])
    ).content.decode()
    assert "Rowan Patel" in page
    assert "Submitted" in page
    assert "Needs 1 more line manager, 3 more peers, 5 more raters in total" in page


def test_dashboard_queries_do_not_grow_with_the_cohort(programme_admin_client, programme):
    for _ in range(3):
        AssessmentFactory(programme=programme)
    url = reverse("programmes:detail", args=[programme.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        programme_admin_client.get(url)
    for _ in range(20):
        ResponseFactory(assessment=AssessmentFactory(programme=programme))
    with CaptureQueriesContext(connection) as large:
        programme_admin_client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_admin_closes_the_programme(programme_admin_client, programme):
    response = programme_admin_client.post(reverse("programmes:close", args=[programme.pk]))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.is_closed
    assert programme.closed_at is not None
    again = programme_admin_client.post(
        reverse("programmes:close", args=[programme.pk]), follow=True
    )
    assert "was already closed" in again.content.decode()


def test_programme_state_follows_the_clock(framework):
    programme = ProgrammeFactory(
        framework=framework,
        opens_at=datetime(2027, 1, 4, 9, 0, tzinfo=LONDON),
        closes_at=datetime(2027, 2, 1, 17, 0, tzinfo=LONDON),
    )
    with time_machine.travel(datetime(2027, 1, 3, 12, 0, tzinfo=LONDON), tick=False):
        assert programme.state == Programme.State.DRAFT
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=LONDON), tick=False):
        assert programme.state == Programme.State.OPEN
    with time_machine.travel(datetime(2027, 2, 1, 17, 0, tzinfo=LONDON), tick=False):
        assert programme.state == Programme.State.CLOSED


def test_nomination_rules_refuse_min_above_max_in_the_database(programme):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        NominationRule.objects.filter(programme=programme, rater_group="peer").update(minimum=9)


def test_other_admin_of_same_programme_can_run_it(client, programme):
    colleague = UserFactory()
    programme.admins.add(colleague)
    client.force_login(colleague)
    assert client.get(reverse("programmes:detail", args=[programme.pk])).status_code == 200


def test_dashboard_filters_and_sorts_leaders(programme_admin_client, programme):
    done = AssessmentFactory(programme=programme, leader__full_name="Ada Done")
    ResponseFactory(assessment=done, rater_group=RaterGroup.SELF)
    for _ in range(2):
        ResponseFactory(assessment=done, rater_group=RaterGroup.PEER)
    AssessmentFactory(programme=programme, leader__full_name="Zed Notyet")
    url = reverse("programmes:detail", args=[programme.pk])

    def names(**params):
        rows = programme_admin_client.get(url, params).context["rows"]
        return [row["assessment"].leader.full_name for row in rows]

    assert names() == ["Ada Done", "Zed Notyet"]
    assert names(sort="-name") == ["Zed Notyet", "Ada Done"]
    assert names(sort="-responses") == ["Ada Done", "Zed Notyet"]
    assert names(self_state="submitted") == ["Ada Done"]
    assert names(self_state="not_started") == ["Zed Notyet"]
    assert names(q="zed") == ["Zed Notyet"]
    assert names(nominations="complete") == []
    assert names(nominations="incomplete") == ["Ada Done", "Zed Notyet"]
    # Nonsense in the query string is ignored, never a 500.
    assert (
        programme_admin_client.get(
            url, {"sort": "drop table", "page": "x9", "self_state": "?"}
        ).status_code
        == 200
    )


def test_dashboard_paginates_with_filters_kept(programme_admin_client, programme):
    for n in range(55):
        AssessmentFactory(programme=programme, leader__full_name=f"Leader {n:02d}")
    url = reverse("programmes:detail", args=[programme.pk])
    first = programme_admin_client.get(url, {"q": "Leader"})
    assert len(first.context["rows"]) == 50
    assert "q=Leader&amp;page=2" in first.content.decode()
    second = programme_admin_client.get(url, {"q": "Leader", "page": 2})
    assert len(second.context["rows"]) == 5


def _bulk_leaders(programme, count, start=0):
    from accounts.models import User

    users = User.objects.bulk_create(
        [
            User(email=f"bulk{start + n}@example.nhs.uk", full_name=f"Bulk Leader {start + n:04d}")
            for n in range(count)
        ]
    )
    Assessment.objects.bulk_create([Assessment(programme=programme, leader=u) for u in users])


def test_dashboard_for_2000_leaders_uses_the_queries_of_20(programme_admin_client, programme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("programmes:detail", args=[programme.pk])
    _bulk_leaders(programme, 20)
    with CaptureQueriesContext(connection) as small:
        assert programme_admin_client.get(url).status_code == 200
    _bulk_leaders(programme, 1980, start=20)
    with CaptureQueriesContext(connection) as large:
        response = programme_admin_client.get(url)
    assert response.context["page"].paginator.count == 2000
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) < 15
