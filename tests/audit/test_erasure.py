"""Erasing a leader or a rater on request: what goes, what stays, and the audit log redacted
rather than broken."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.audit import audit_record, person_ref
from accounts.models import AuditAction, AuditEvent, OutboxEmail
from assessments.models import (
    Assessment,
    Draft,
    Invitation,
    Rating,
    Response,
    ThemeComment,
)
from assessments.services.erasure import leader_erase, rater_erase
from assessments.services.invitations import invitation_revoke
from reports.models import ThemeReport
from tests.factories import AssessmentFactory, InvitationFactory, ProgrammeFactory, UserFactory

from .conftest import reports_ready

User = get_user_model()


def _leader_url(assessment):
    return f"/programmes/{assessment.programme_id}/leaders/{assessment.pk}/erase/"


def _rater_url(invitation):
    a = invitation.assessment
    return f"/programmes/{a.programme_id}/leaders/{a.pk}/raters/{invitation.pk}/erase/"


# A leader ----------------------------------------------------------------------------------


def test_erasing_a_leader_anonymises_the_account_and_deletes_their_360(
    programme_admin_client,
    programme_admin,
    leader,
    assessment,
    rater,
    django_capture_on_commit_callbacks,
):
    reports = reports_ready(assessment)
    files = [Path(settings.MEDIA_ROOT, r.file.name) for r in reports]
    Draft.objects.create(assessment=assessment, invitation=rater, answers={"1": 3})
    OutboxEmail.objects.create(
        kind="rater_invitation", to=rater.email, context={"invitation_id": rater.pk}
    )
    OutboxEmail.objects.create(
        kind="account_invitation", to=leader.email, context={"user_id": leader.pk}
    )
    kept = OutboxEmail.objects.create(kind="password_reset", to="someone@example.org", context={})
    invitation_revoke(invitation=rater, by=programme_admin)  # an audit event naming both
    bystander = AssessmentFactory(programme=assessment.programme)
    bystander_response_count = Response.objects.exclude(assessment=assessment).count()

    page = programme_admin_client.get(_leader_url(assessment))
    assert page.status_code == 200 and "Erase Alex Leader?" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = programme_admin_client.post(
            _leader_url(assessment), {"confirm": "on"}, follow=True
        )

    assert "Alex Leader has been erased." in response.content.decode()
    leader.refresh_from_db()
    assert leader.email == f"erased-{leader.pk}@invalid"
    assert leader.full_name == "Erased leader"
    assert not leader.has_usable_password() and not leader.is_active
    assert not leader.groups.exists()
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert not Response.objects.filter(assessment_id=assessment.pk).exists()
    assert not Rating.objects.filter(response__assessment_id=assessment.pk).exists()
    assert not ThemeComment.objects.filter(response__assessment_id=assessment.pk).exists()
    assert not Invitation.objects.filter(assessment_id=assessment.pk).exists()
    assert not ThemeReport.objects.filter(assessment_id=assessment.pk).exists()
    assert not any(path.exists() for path in files)
    assert list(OutboxEmail.objects.all()) == [kept]
    assert Assessment.objects.filter(pk=bystander.pk).exists()
    assert Response.objects.count() == bystander_response_count
    # The log keeps the revocation, without the leader's or the rater's name.
    revoked = AuditEvent.objects.get(action=AuditAction.INVITATION_REVOKED)
    for secret in ("Alex", "alex.leader", "Robin", "robin.rater"):
        assert secret not in str(revoked.detail)
    erased = AuditEvent.objects.get(action=AuditAction.LEADER_ERASED)
    assert erased.actor == programme_admin and erased.object_id == str(leader.pk)


def test_the_erased_leader_can_no_longer_sign_in(
    client, programme_admin_client, leader, assessment
):
    leader.set_password("a long enough password")
    leader.save()

    programme_admin_client.post(_leader_url(assessment), {"confirm": "on"})

    assert not client.login(email="alex.leader@example.nhs.uk", password="a long enough password")


def test_events_the_leader_did_keep_their_place_under_a_redacted_label(
    programme_admin, leader, assessment
):
    mine = audit_record(
        actor=leader,
        action=AuditAction.REPORT_VIEWED,
        programme=assessment.programme,
        obj=assessment,
        detail={"leader": person_ref(leader)},
    )
    count = AuditEvent.objects.count()

    leader_erase(assessment=assessment, by=programme_admin)

    mine = AuditEvent.objects.get(pk=mine.pk)
    assert mine.actor == leader and mine.actor_label == "Erased person"
    assert mine.detail["leader"] == {"user_id": leader.pk, "name": "[erased]", "email": "[erased]"}
    assert AuditEvent.objects.count() == count + 1  # the erasure itself, and nothing lost


def test_the_box_must_be_ticked(programme_admin_client, leader, assessment):
    response = programme_admin_client.post(_leader_url(assessment), {})

    assert response.status_code == 200
    assert "Confirm that you understand this cannot be undone" in response.content.decode()
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    leader.refresh_from_db()
    assert leader.full_name == "Alex Leader"


def test_a_leader_in_a_programme_the_admin_does_not_run_is_not_erased_here(
    programme_admin_client, framework, leader, assessment
):
    AssessmentFactory(programme=ProgrammeFactory(framework=framework), leader=leader)

    page = programme_admin_client.get(_leader_url(assessment)).content.decode()
    response = programme_admin_client.post(_leader_url(assessment), {"confirm": "on"})

    assert "1 programme you do not run" in page
    assert response.status_code == 200
    leader.refresh_from_db()
    assert leader.is_active and Assessment.objects.filter(pk=assessment.pk).exists()


def test_a_site_administrator_erases_a_leader_from_every_programme(framework, leader, assessment):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    elsewhere = AssessmentFactory(programme=ProgrammeFactory(framework=framework), leader=leader)

    deleted = leader_erase(assessment=assessment, by=superuser)

    assert deleted["assessments"] == 2
    assert not Assessment.objects.filter(pk__in=[assessment.pk, elsewhere.pk]).exists()
    assert AuditEvent.objects.filter(action=AuditAction.LEADER_ERASED).count() == 2  # per programme


def test_someone_who_runs_programmes_is_not_erased_here(
    programme_admin_client, framework, leader, assessment
):
    ProgrammeFactory(framework=framework).facilitators.add(leader)

    response = programme_admin_client.post(_leader_url(assessment), {"confirm": "on"})

    assert "also runs or supports programmes" in response.content.decode()
    assert Assessment.objects.filter(pk=assessment.pk).exists()


# A rater -----------------------------------------------------------------------------------


def test_erasing_a_rater_blanks_them_and_revokes_their_link(
    programme_admin_client, programme_admin, rater
):
    Draft.objects.create(assessment=rater.assessment, invitation=rater, answers={"1": 4})
    OutboxEmail.objects.create(
        kind="rater_invitation", to=rater.email, context={"invitation_id": rater.pk}
    )
    invitation_revoke_or_reissue = audit_record(
        actor=programme_admin,
        action=AuditAction.INVITATION_REISSUED,
        programme=rater.assessment.programme,
        obj=rater,
        detail={
            "rater": {
                "invitation_id": rater.pk,
                "name": rater.name,
                "email": rater.email,
                "group": "Peer",
            }
        },
    )
    responses = Response.objects.count()

    page = programme_admin_client.get(_rater_url(rater)).content.decode()
    response = programme_admin_client.post(_rater_url(rater), {"confirm": "on"}, follow=True)

    assert "cannot be found or deleted" in page
    assert "have been erased" in response.content.decode()
    rater.refresh_from_db()
    assert rater.name == "Erased rater" and rater.email == f"erased-{rater.pk}@invalid"
    assert rater.state == Invitation.State.REVOKED and rater.token_nonce == ""
    assert not Draft.objects.filter(invitation_id=rater.pk).exists()
    assert not OutboxEmail.objects.exists()
    assert Response.objects.count() == responses  # unlinkable: nothing to find
    redacted = AuditEvent.objects.get(pk=invitation_revoke_or_reissue.pk)
    assert redacted.detail["rater"]["name"] == "[erased]"
    assert redacted.detail["rater"]["email"] == "[erased]"
    assert AuditEvent.objects.filter(action=AuditAction.RATER_ERASED).count() == 1


def test_a_rater_who_submitted_keeps_their_place_in_the_counts(programme_admin_client, assessment):
    submitted = InvitationFactory(
        assessment=assessment, state=Invitation.State.SUBMITTED, name="Sam Submitted"
    )

    page = programme_admin_client.get(_rater_url(submitted)).content.decode()
    programme_admin_client.post(_rater_url(submitted), {"confirm": "on"})

    assert "s reports, unattributed" in page and "They submitted feedback." in page
    submitted.refresh_from_db()
    assert submitted.state == Invitation.State.SUBMITTED and submitted.name == "Erased rater"


def test_a_rater_is_erased_once(programme_admin_client, rater):
    programme_admin_client.post(_rater_url(rater), {"confirm": "on"})

    response = programme_admin_client.post(_rater_url(rater), {"confirm": "on"})

    assert "already been erased" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.RATER_ERASED).count() == 1


def test_the_raters_page_links_to_erasure(programme_admin_client, programme, assessment, rater):
    page = programme_admin_client.get(f"/programmes/{programme.pk}/leaders/{assessment.pk}/raters/")

    assert _rater_url(rater) in page.content.decode()
    assert _leader_url(assessment) in page.content.decode()


def test_rater_erasure_service_refuses_twice(programme_admin, rater):
    from django.core.exceptions import ValidationError

    rater_erase(invitation=rater, by=programme_admin)

    with pytest.raises(ValidationError):
        rater_erase(invitation=rater, by=programme_admin)
