"""Programme admins add and remove the programme's admins and facilitators and choose each
leader's facilitator (assessments.services.staff, assessments.views.staff)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import OutboxEmail, Role, User
from assessments.models import Assessment
from assessments.services.staff import (
    assessment_facilitator_set,
    programme_staff_add,
    programme_staff_remove,
)
from tests import factories

STAFF = "imports:staff"


def staff_url(programme):
    return reverse(STAFF, args=[programme.pk])


def remove_url(programme, role, person):
    return reverse("imports:staff_remove", args=[programme.pk, role, person.pk])


def text(response):
    return response.content.decode()


def test_a_new_facilitator_gets_an_account_the_role_and_an_invitation(
    programme_admin_client, programme
):
    response = programme_admin_client.post(
        staff_url(programme),
        {"role": "facilitator", "email": " Fran.New@Example.NHS.uk ", "full_name": "Fran New"},
    )
    assert response.status_code == 302
    fran = User.objects.get(email="fran.new@example.nhs.uk")
    assert fran.full_name == "Fran New"
    assert not fran.has_usable_password()
    assert fran.has_role(Role.FACILITATOR)
    assert list(programme.facilitators.all()) == [fran]
    (email,) = OutboxEmail.objects.all()
    assert (email.kind, email.to) == ("account_invitation", "fran.new@example.nhs.uk")
    assert email.context["user_id"] == fran.pk
    assert email.context["programme_id"] == programme.pk
    assert "Fran New is now a facilitator" in text(programme_admin_client.get(response["Location"]))


def test_an_existing_account_is_made_admin_without_an_email(programme_admin_client, programme):
    sam = factories.UserFactory(email="sam@example.nhs.uk")  # has a password
    programme_admin_client.post(
        staff_url(programme), {"role": "programme_admin", "email": "SAM@example.nhs.uk"}
    )
    assert programme.admins.filter(pk=sam.pk).exists()
    assert sam.has_role(Role.PROGRAMME_ADMIN)
    assert not OutboxEmail.objects.exists()


def test_adding_someone_twice_changes_nothing(programme_admin_client, programme):
    data = {"role": "facilitator", "email": "fran@example.nhs.uk", "full_name": "Fran"}
    programme_admin_client.post(staff_url(programme), data)
    response = programme_admin_client.post(staff_url(programme), data)
    assert "was already a facilitator" in text(programme_admin_client.get(response["Location"]))
    assert programme.facilitators.count() == 1
    assert OutboxEmail.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"role": "facilitator", "email": "new.person@example.nhs.uk"},
            "full_name",
            "Enter their full name: there is no account",
        ),
        (
            {"role": "facilitator", "email": "not an email", "full_name": "Kit"},
            "email",
            "Enter an email address in the correct format",
        ),
        (
            {"role": "leader", "email": "kit@example.nhs.uk", "full_name": "Kit"},
            "role",
            "Select a valid choice",
        ),
        (
            {"email": "kit@example.nhs.uk", "full_name": "Kit"},
            "role",
            "Select whether they are a programme admin or a facilitator",
        ),
        (
            {"role": "facilitator", "email": "kit@example.nhs.uk", "full_name": "K" * 201},
            "full_name",
            "at most 200 characters",
        ),
    ],
)
def test_bad_staff_details_are_explained_and_kept(
    programme_admin_client, programme, data, field, message
):
    response = programme_admin_client.post(staff_url(programme), data)
    assert response.status_code == 200
    assert message in text(response)
    assert "nhsuk-error-summary" in text(response)
    assert response.context["form"].errors[field]
    assert f'value="{data["email"]}"' in text(response)
    assert programme.facilitators.count() == 0
    assert not User.objects.filter(email=data["email"]).exists()


def test_a_switched_off_account_cannot_be_added(programme, programme_admin):
    factories.UserFactory(email="gone@example.nhs.uk", is_active=False)
    with pytest.raises(ValidationError, match="switched off"):
        programme_staff_add(
            programme=programme,
            role=Role.FACILITATOR,
            email="gone@example.nhs.uk",
            by=programme_admin,
        )


def test_removing_a_facilitator_asks_first_and_frees_their_leaders(
    programme_admin_client, programme, facilitator
):
    assessment = factories.AssessmentFactory(programme=programme, facilitator=facilitator)
    url = remove_url(programme, "facilitator", facilitator)
    page = programme_admin_client.get(url)
    assert "1 leader assigned to them will have no facilitator" in text(page)
    assert programme.facilitators.filter(pk=facilitator.pk).exists()

    response = programme_admin_client.post(url)
    assert response.status_code == 302
    assert not programme.facilitators.filter(pk=facilitator.pk).exists()
    assessment.refresh_from_db()
    assert assessment.facilitator is None
    assert "1 leader now has no facilitator." in text(
        programme_admin_client.get(staff_url(programme))
    )


def test_the_last_admin_cannot_remove_themselves(
    programme_admin_client, programme, programme_admin
):
    url = remove_url(programme, "programme_admin", programme_admin)
    response = programme_admin_client.post(url)
    assert response.status_code == 200
    assert "You are the only admin of this programme" in text(response)
    assert list(programme.admins.all()) == [programme_admin]
    assert "The only admin" in text(programme_admin_client.get(staff_url(programme)))


def test_the_last_admin_cannot_be_removed_by_anyone(programme, programme_admin):
    superuser = factories.UserFactory(is_superuser=True)
    with pytest.raises(ValidationError, match="Pat Admin is the only admin"):
        programme_staff_remove(
            programme=programme, role=Role.PROGRAMME_ADMIN, user=programme_admin, by=superuser
        )


def test_an_admin_who_is_not_the_last_may_leave_and_then_cannot_see_the_programme(
    programme_admin_client, programme, programme_admin
):
    programme.admins.add(factories.UserFactory())
    response = programme_admin_client.post(
        remove_url(programme, "programme_admin", programme_admin)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:list")
    assert not programme.admins.filter(pk=programme_admin.pk).exists()
    assert programme_admin_client.get(staff_url(programme)).status_code == 404


def test_choosing_a_leaders_facilitator(programme_admin_client, programme, facilitator):
    assessment = factories.AssessmentFactory(programme=programme)
    url = reverse("imports:leader_facilitator", args=[programme.pk, assessment.pk])
    assert programme_admin_client.get(url).status_code == 200
    response = programme_admin_client.post(url, {"facilitator": facilitator.pk})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.facilitator == facilitator
    programme_admin_client.post(url, {"facilitator": ""})
    assessment.refresh_from_db()
    assert assessment.facilitator is None


def test_a_facilitator_of_another_programme_cannot_be_chosen(
    programme_admin_client, programme, framework, programme_admin, facilitator
):
    outsider = factories.UserFactory()
    factories.ProgrammeFactory(framework=framework).facilitators.add(outsider)
    assessment = factories.AssessmentFactory(programme=programme)
    url = reverse("imports:leader_facilitator", args=[programme.pk, assessment.pk])
    response = programme_admin_client.post(url, {"facilitator": outsider.pk})
    assert response.status_code == 200
    assert "Choose one of the programme&#x27;s facilitators" in text(response)
    with pytest.raises(ValidationError):
        assessment_facilitator_set(assessment=assessment, facilitator=outsider, by=programme_admin)
    assert Assessment.objects.get(pk=assessment.pk).facilitator is None


def test_the_staff_page_lists_people_and_links_to_leader_pages(
    programme_admin_client, programme, facilitator
):
    assessment = factories.AssessmentFactory(programme=programme, facilitator=facilitator)
    html = text(programme_admin_client.get(staff_url(programme)))
    assert "Pat Admin" in html and "Fran Facilitator" in html
    assert reverse("imports:leader_remove", args=[programme.pk, assessment.pk]) in html
    assert reverse("imports:leader_facilitator", args=[programme.pk, assessment.pk]) in html
    assert reverse("programmes:leader_add", args=[programme.pk]) in html


def test_unknown_roles_and_people_are_404(programme_admin_client, programme, facilitator):
    for role, person in [
        ("leader", facilitator),
        ("nonsense", facilitator),
        ("programme_admin", facilitator),
    ]:
        assert programme_admin_client.post(remove_url(programme, role, person)).status_code == 404
    assert programme.facilitators.filter(pk=facilitator.pk).exists()


def test_another_programmes_admin_gets_404(
    client, programme, framework, facilitator, programme_admin
):
    other_admin = factories.UserFactory()
    factories.ProgrammeFactory(framework=framework).admins.add(other_admin)
    assessment = factories.AssessmentFactory(programme=programme)
    client.force_login(other_admin)
    for url in [
        staff_url(programme),
        remove_url(programme, "facilitator", facilitator),
        remove_url(programme, "programme_admin", programme_admin),
        reverse("imports:leader_facilitator", args=[programme.pk, assessment.pk]),
    ]:
        assert client.get(url).status_code == 404, url
        assert (
            client.post(
                url,
                {
                    "role": "programme_admin",
                    "email": "x@example.nhs.uk",
                    "full_name": "X",
                    "facilitator": "",
                },
            ).status_code
            == 404
        ), url
    assert list(programme.admins.all()) == [programme_admin]
    assert programme.facilitators.filter(pk=facilitator.pk).exists()
    assert not User.objects.filter(email="x@example.nhs.uk").exists()


def test_the_facilitator_page_says_when_there_are_no_facilitators(
    programme_admin_client, programme
):
    assessment = factories.AssessmentFactory(programme=programme)
    url = reverse("imports:leader_facilitator", args=[programme.pk, assessment.pk])
    page = programme_admin_client.get(url)
    assert "This programme has no facilitators yet" in text(page)
    assert f"{staff_url(programme)}#add" in text(page)
