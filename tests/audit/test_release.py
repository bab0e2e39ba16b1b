"""Releasing and reopening reports: on close, by the facilitator after the debrief, by an
admin; released reports are frozen until an audited reopen regenerates them."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import Programme
from assessments.services.programmes import programme_close
from reports.models import ThemeReport
from reports.release import (
    assessment_reports_releasable,
    assessment_reports_release,
    assessment_reports_reopen,
    programme_reports_release,
)
from reports.services import report_is_released, reports_generate
from tests.factories import AssessmentFactory, ResponseFactory, UserFactory

from .conftest import programme_closed, reports_ready

BY_FACILITATOR = Programme.ReleaseMode.BY_FACILITATOR
_TODAY = timezone.localdate()
DEBRIEF_TODAY = {"held_on_0": _TODAY.day, "held_on_1": _TODAY.month, "held_on_2": _TODAY.year}
Status = ThemeReport.Status


def _fresh(assessment):
    assessment.refresh_from_db()
    assessment.programme.refresh_from_db()
    return assessment


# On close ----------------------------------------------------------------------------------


def test_an_on_close_programme_is_released_when_it_closes(programme, programme_admin, assessment):
    assert not report_is_released(assessment=assessment)

    programme_close(programme=programme, by=programme_admin)

    programme.refresh_from_db()
    assert programme.released_at == programme.closed_at
    assert programme.state == Programme.State.RELEASED
    assert report_is_released(assessment=_fresh(assessment))


def test_a_facilitator_released_programme_is_not_released_at_close(programme, assessment):
    programme.release_mode = BY_FACILITATOR
    programme.save()

    programme_close(programme=programme)

    programme.refresh_from_db()
    assert programme.released_at is None
    assert not report_is_released(assessment=_fresh(assessment))


# By the facilitator ------------------------------------------------------------------------


def test_the_facilitator_releases_after_the_debrief(client, facilitator, leader, assessment):
    programme_closed(assessment.programme, release_mode=BY_FACILITATOR)
    reports_ready(assessment)
    client.force_login(leader)
    assert client.get(f"/reports/{assessment.pk}/being/download/").status_code == 404

    client.force_login(facilitator)
    page = client.get("/reports/facilitator/").content.decode()
    # The release is part of recording the debrief (development.views.facilitator_debrief).
    debrief_url = f"/development/facilitator/{assessment.pk}/debrief/"
    assert "Alex Leader" in page and debrief_url in page
    response = client.post(debrief_url, {**DEBRIEF_TODAY, "release": "on"}, follow=True)

    assert "Alex Leader can now read their reports." in response.content.decode()
    assessment = _fresh(assessment)
    assert assessment.released_at is not None
    # The only leader of the programme: the programme is released, its retention starts.
    assert assessment.programme.released_at == assessment.released_at
    client.force_login(leader)
    assert client.get(f"/reports/{assessment.pk}/being/download/").status_code == 200


def test_the_programme_is_released_only_with_its_last_leader(facilitator, assessment):
    programme = programme_closed(assessment.programme, release_mode=BY_FACILITATOR)
    second = AssessmentFactory(programme=programme, facilitator=facilitator)
    ResponseFactory(assessment=second, rater_group="self")  # something to report
    reports_ready(assessment)
    reports_ready(second)

    assessment_reports_release(assessment=assessment, by=facilitator)
    programme.refresh_from_db()
    assert programme.released_at is None
    assert not report_is_released(assessment=second)

    assessment_reports_release(assessment=second, by=facilitator)
    programme.refresh_from_db()
    assert programme.released_at is not None


def test_release_waits_for_every_report_to_be_ready(client, facilitator, assessment):
    programme_closed(assessment.programme, release_mode=BY_FACILITATOR)
    reports = reports_ready(assessment)
    ThemeReport.objects.filter(pk=reports[0].pk).update(status=Status.FAILED)
    client.force_login(facilitator)
    debrief_url = f"/development/facilitator/{assessment.pk}/debrief/"

    assert "Every theme report must be ready" in client.get(debrief_url).content.decode()
    client.post(debrief_url, {**DEBRIEF_TODAY, "release": "on"})
    assert _fresh(assessment).released_at is None


def test_release_waits_for_the_close(facilitator, assessment):
    programme = assessment.programme
    programme.release_mode = BY_FACILITATOR
    programme.save()

    with pytest.raises(ValidationError, match="once the programme has closed"):
        assessment_reports_release(assessment=assessment, by=facilitator)


def test_a_facilitator_does_not_release_in_an_on_close_programme(client, facilitator, assessment):
    programme = assessment.programme
    programme.closes_at = timezone.now() + timezone.timedelta(days=1)
    programme.save()
    client.force_login(facilitator)
    debrief_url = f"/development/facilitator/{assessment.pk}/debrief/"

    assert "releases reports when it closes" in client.get(debrief_url).content.decode()
    client.post(debrief_url, {**DEBRIEF_TODAY, "release": "on"})
    assert _fresh(assessment).released_at is None


def test_an_admin_may_release_one_leader(client, programme_admin, assessment):
    programme_closed(assessment.programme, release_mode=BY_FACILITATOR)
    reports_ready(assessment)
    client.force_login(programme_admin)

    client.post(f"/reports/staff/assessments/{assessment.pk}/release/")

    assert _fresh(assessment).released_at is not None


def test_an_admin_may_release_every_leader_at_once(client, programme, programme_admin, assessment):
    programme_closed(programme, release_mode=BY_FACILITATOR)
    client.force_login(programme_admin)

    response = client.post(f"/reports/staff/programmes/{programme.pk}/release/", follow=True)

    assert "Every leader can now read their reports." in response.content.decode()
    assert report_is_released(assessment=_fresh(assessment))
    again = client.post(f"/reports/staff/programmes/{programme.pk}/release/", follow=True)
    assert "already released" in again.content.decode()


def test_releasing_an_open_programme_is_refused(programme, programme_admin):
    with pytest.raises(ValidationError, match="once the programme has closed"):
        programme_reports_release(programme=programme, by=programme_admin)


# Frozen, and reopened ----------------------------------------------------------------------


def test_released_ready_reports_are_not_generated_again(programme, programme_admin, assessment):
    programme_close(programme=programme, by=programme_admin)
    reports = reports_ready(assessment)
    ThemeReport.objects.filter(pk=reports[0].pk).update(status=Status.FAILED)

    requested = reports_generate(assessment=_fresh(assessment))

    assert [r.pk for r in requested] == [reports[0].pk]  # only the failed one
    assert ThemeReport.objects.filter(assessment=assessment, status=Status.READY).count() == 3


def test_generating_a_released_report_says_it_is_frozen(
    client, programme, programme_admin, assessment
):
    programme_close(programme=programme, by=programme_admin)
    reports_ready(assessment)
    client.force_login(programme_admin)

    response = client.post(f"/reports/staff/assessments/{assessment.pk}/generate/", follow=True)

    assert "reopen them" in response.content.decode()
    assert not ThemeReport.objects.exclude(status=Status.READY).exists()


def test_reopen_keeps_the_released_version_and_needs_a_new_release(
    client, programme, programme_admin, leader, assessment
):
    programme_close(programme=programme, by=programme_admin)
    reports_ready(assessment)
    client.force_login(programme_admin)

    response = client.post(
        f"/reports/staff/assessments/{assessment.pk}/reopen/",
        {"reason": "A comment names a rater"},
        follow=True,
    )

    assert "reopened and being generated again" in response.content.decode()
    assessment = _fresh(assessment)
    assert assessment.reopened_at is not None and not report_is_released(assessment=assessment)
    assert set(
        ThemeReport.objects.filter(assessment=assessment).values_list("status", flat=True)
    ) == {Status.QUEUED}
    # The leader keeps reading what was released to them: released means frozen.
    client.force_login(leader)
    released = client.get(f"/reports/{assessment.pk}/being/")
    assert released.status_code == 200

    ThemeReport.objects.filter(assessment=assessment).update(status=Status.READY)
    assessment_reports_release(assessment=assessment, by=programme_admin)
    assert client.get(f"/reports/{assessment.pk}/being/").status_code == 200
    # Nothing new arrived, so no new version.
    assert assessment.report_versions.count() == 1


def test_a_programme_release_releases_reopened_reports_too(programme, programme_admin, assessment):
    programme_closed(programme, release_mode=BY_FACILITATOR)
    programme_reports_release(programme=programme, by=programme_admin)
    assessment_reports_reopen(assessment=_fresh(assessment), by=programme_admin, reason="Typo")
    assert not report_is_released(assessment=_fresh(assessment))

    assert programme_reports_release(programme=programme, by=programme_admin)

    assert report_is_released(assessment=_fresh(assessment))


def test_reopen_needs_a_reason(client, programme, programme_admin, assessment):
    programme_close(programme=programme, by=programme_admin)
    client.force_login(programme_admin)

    response = client.post(f"/reports/staff/assessments/{assessment.pk}/reopen/", {"reason": " "})

    assert response.status_code == 200
    assert "Enter why the reports are being reopened" in response.content.decode()
    assert report_is_released(assessment=_fresh(assessment))


def test_reopen_refuses_an_oversized_reason(client, programme, programme_admin, assessment):
    programme_close(programme=programme, by=programme_admin)
    client.force_login(programme_admin)

    response = client.post(
        f"/reports/staff/assessments/{assessment.pk}/reopen/", {"reason": "x" * 1001}
    )

    assert response.status_code == 200
    assert "1000 characters or fewer" in response.content.decode()
    assert report_is_released(assessment=_fresh(assessment))


def test_unreleased_reports_have_nothing_to_reopen(client, programme_admin, assessment):
    client.force_login(programme_admin)

    response = client.post(
        f"/reports/staff/assessments/{assessment.pk}/reopen/", {"reason": "Because"}
    )

    assert response.status_code == 200
    assert "nothing to reopen" in response.content.decode()
    assert _fresh(assessment).reopened_at is None


# Access ------------------------------------------------------------------------------------


def test_a_facilitator_sees_only_their_own_leaders(client, programme, facilitator, assessment):
    colleague = UserFactory(full_name="Cam Colleague")
    programme.facilitators.add(colleague)
    theirs = AssessmentFactory(programme=programme, facilitator=colleague)
    unassigned = AssessmentFactory(programme=programme)
    client.force_login(facilitator)

    page = client.get("/reports/facilitator/").content.decode()

    assert "Alex Leader" in page
    assert theirs.leader.full_name not in page and unassigned.leader.full_name not in page
    for other in (theirs, unassigned):
        assert client.get(f"/reports/facilitator/{other.pk}/").status_code == 404
        assert client.post(f"/reports/facilitator/{other.pk}/release/").status_code == 404


def test_a_facilitator_taken_off_the_programme_loses_their_leaders(
    client, programme, facilitator, assessment
):
    programme.facilitators.remove(facilitator)
    client.force_login(facilitator)

    assert "Alex Leader" not in client.get("/reports/facilitator/").content.decode()
    assert client.get(f"/reports/facilitator/{assessment.pk}/").status_code == 404


def test_a_report_with_nothing_in_it_cannot_be_released(client, programme_admin, programme):
    """Issue 12, defect 2: no self-assessment and no rater feedback became "Ready" (4 PDFs
    of dashes) and could be released. Now the release says what is missing."""
    empty = AssessmentFactory(programme=programme)
    programme_closed(programme, release_mode=BY_FACILITATOR)
    reports_ready(empty)
    refusal = assessment_reports_releasable(assessment=empty)
    assert "no self-assessment and no feedback from raters" in refusal
    with pytest.raises(ValidationError):
        assessment_reports_release(assessment=empty, by=programme_admin)
    client.force_login(programme_admin)
    page = client.get(f"/reports/staff/assessments/{empty.pk}/release/").content.decode()
    assert "nothing to release" in page and "Release the reports</button>" not in page
    assert not empty.report_versions.exists()
