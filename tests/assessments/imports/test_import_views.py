"""Programme admins import leaders from a file (upload → check → import) and remove a
leader; only in their own programmes."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import OutboxEmail
from assessments.models import Assessment, Invitation, RaterGroup
from assessments.services.imports import LeaderFile, leader_import_plan
from tests import factories

from .conftest import GOOD_ROWS, csv_upload, xlsx_upload


def upload(client, programme, file):
    return client.post(reverse("imports:upload", args=[programme.pk]), {"file": file})


def check_url(programme):
    return reverse("imports:check", args=[programme.pk])


def confirm(client, programme, **overrides):
    """Post the confirmation form exactly as the check page rendered it."""
    page = client.get(check_url(programme))
    data = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page.content.decode()).group(1)
        for name in ("token", "fingerprint")
    }
    data.update(overrides)
    return client.post(check_url(programme), data)


def confirm_behind_the_page(client, programme):
    """Post a confirmation the page did not offer, with the right token and fingerprint."""
    stored = client.session[f"leader_import_{programme.pk}"]
    plan = leader_import_plan(programme=programme, leader_file=LeaderFile.from_data(stored["file"]))
    return client.post(
        check_url(programme), {"token": stored["token"], "fingerprint": plan.fingerprint()}
    )


def text(response):
    return response.content.decode()


def test_a_valid_csv_is_checked_then_imported(programme_admin_client, programme, facilitator):
    response = upload(programme_admin_client, programme, csv_upload(GOOD_ROWS))
    assert response.status_code == 302
    assert response["Location"] == check_url(programme)
    assert not programme.assessments.exists()  # nothing until confirmed

    page = programme_admin_client.get(check_url(programme))
    assert page.status_code == 200
    html = text(page)
    assert re.search(r'id="count-new">\s*3 to be added', html)
    assert re.search(r'id="count-existing">\s*0 left unchanged', html)
    assert re.search(r'id="count-line-managers">\s*1 to be nominated', html)
    assert "Chloé Dubois" in html
    assert "Import 3 leaders" in html
    assert not OutboxEmail.objects.exists()

    response = confirm(programme_admin_client, programme)
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:detail", args=[programme.pk])
    assert sorted(programme.assessments.values_list("leader__email", flat=True)) == [
        "ada.lovelace@example.nhs.uk",
        "ben.okafor@example.nhs.uk",
        "chloe.dubois@example.nhs.uk",
    ]
    assert OutboxEmail.objects.filter(kind="account_invitation").count() == 3
    assert Invitation.objects.get().rater_group == RaterGroup.LINE_MANAGER
    follow = programme_admin_client.get(response["Location"])
    assert (
        "Import complete: 3 new leaders added and sent an invitation, 1 line manager "
        "nominated." in text(follow)
    )


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(
    programme_admin_client, programme, facilitator
):
    rows = [
        ["Ada Lovelace", "ada@example.nhs.uk", "", "", ""],  # row 2
        ["Bad Email", "not-an-email", "", "", ""],  # row 3
        ["Ben Okafor", "ben@example.nhs.uk", "", "", ""],  # row 4
        ["Ada Again", "ada@example.nhs.uk", "", "", ""],  # row 5
        ["", "noname@example.nhs.uk", "", "", ""],  # row 6
        ["Cy Unknown", "cy@example.nhs.uk", "", "", "stranger@example.nhs.uk"],  # row 7
    ]
    response = upload(programme_admin_client, programme, csv_upload(rows))
    assert response.status_code == 200
    html = text(response)
    assert "nhsuk-error-summary" in html
    assert "Nothing has been imported: 4 problems in 4 rows" in html
    table = html[html.index('id="problems"') :]
    found = re.findall(
        r"Row </span>(\d+)</td>\s*<td[^>]*><span[^>]*>Column </span>([a-z_]+) \(([A-Z])\)", table
    )
    assert found == [
        ("3", "email", "B"),
        ("5", "email", "B"),
        ("6", "name", "A"),
        ("7", "facilitator_email", "E"),
    ]
    assert "This email address is also on row 2" in table
    assert "not one of the programme&#x27;s facilitators" in table
    assert not programme.assessments.exists()
    assert not OutboxEmail.objects.exists()
    assert (
        programme_admin_client.get(check_url(programme)).status_code == 302
    )  # nothing kept to confirm


def test_uploading_the_same_file_again_adds_nothing_and_sends_nothing(
    programme_admin_client, programme, facilitator
):
    upload(programme_admin_client, programme, csv_upload(GOOD_ROWS))
    confirm(programme_admin_client, programme)
    emails, invitations = OutboxEmail.objects.count(), Invitation.objects.count()

    upload(programme_admin_client, programme, csv_upload(GOOD_ROWS))
    page = programme_admin_client.get(check_url(programme))
    html = text(page)
    assert re.search(r'id="count-new">\s*0 to be added', html)
    assert re.search(r'id="count-existing">\s*3 left unchanged', html)
    assert "1 nominated before and left as they are" in html
    assert "Importing this file would change nothing" in html
    assert 'name="token"' not in html
    response = confirm_behind_the_page(programme_admin_client, programme)
    assert response.status_code == 302
    assert programme.assessments.count() == 3
    assert (OutboxEmail.objects.count(), Invitation.objects.count()) == (emails, invitations)


def test_an_xlsx_file_is_imported(programme_admin_client, programme, facilitator):
    response = upload(programme_admin_client, programme, xlsx_upload(GOOD_ROWS))
    assert response.status_code == 302
    confirm(programme_admin_client, programme)
    assert programme.assessments.count() == 3
    assert Assessment.objects.get(leader__email="ada.lovelace@example.nhs.uk").facilitator == (
        facilitator
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_bom_and_windows_csv_files_are_imported(programme_admin_client, programme, encoding):
    rows = [["Chloé Dubois", "chloe@example.nhs.uk", "", "", ""]]
    assert (
        upload(programme_admin_client, programme, csv_upload(rows, encoding=encoding)).status_code
        == 302
    )
    confirm(programme_admin_client, programme)
    assert Assessment.objects.get(programme=programme).leader.full_name == "Chloé Dubois"


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("leaders.docx", b"PK\x03\x04"), "must be a CSV or an Excel workbook"),
        (SimpleUploadedFile("leaders.csv", b""), "The selected file is empty"),
        (
            SimpleUploadedFile("leaders.csv", b"first,last\r\nAda,L\r\n"),
            "The file needs a column headed &quot;name&quot;",
        ),
        (SimpleUploadedFile("leaders.csv", b"a" * (2 * 1024 * 1024 + 10)), "smaller than 2 MB"),
        (SimpleUploadedFile("leaders.xlsx", b"PK\x03\x04garbage"), "could not be read as an Excel"),
        (None, "Select a CSV or Excel file of leaders"),
    ],
)
def test_files_that_cannot_be_used_get_a_clear_message(
    programme_admin_client, programme, file, message
):
    data = {"file": file} if file is not None else {}
    response = programme_admin_client.post(reverse("imports:upload", args=[programme.pk]), data)
    assert response.status_code == 200
    html = text(response)
    assert message in html
    assert "nhsuk-error-summary" in html
    assert 'href="#id_file"' in html
    assert not programme.assessments.exists()


def test_the_upload_page_uses_nhs_file_upload_markup_and_links_to_adding_one_leader(
    programme_admin_client, programme
):
    html = text(programme_admin_client.get(reverse("imports:upload", args=[programme.pk])))
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'class="nhsuk-form-group nhsuk-file-upload"', html)
    assert re.search(r'<label class="nhsuk-label" for="id_file">', html)
    assert re.search(
        r'<input[^>]*type="file"[^>]*class="nhsuk-file-upload__input"|'
        r'<input[^>]*class="nhsuk-file-upload__input"[^>]*type="file"',
        html,
    )
    assert reverse("programmes:leader_add", args=[programme.pk]) in html
    assert reverse("imports:template", args=[programme.pk]) in html


def test_the_template_has_the_headings(programme_admin_client, programme):
    response = programme_admin_client.get(reverse("imports:template", args=[programme.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").strip() == (
        "name,email,line_manager_name,line_manager_email,facilitator_email"
    )


def test_confirming_without_a_check_is_refused(programme_admin_client, programme):
    response = programme_admin_client.post(check_url(programme), {"token": "x", "fingerprint": "y"})
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:upload", args=[programme.pk])
    assert "There is no checked file to import" in text(
        programme_admin_client.get(response["Location"])
    )
    assert not programme.assessments.exists()


@pytest.mark.parametrize("field", ["token", "fingerprint"])
def test_a_tampered_confirmation_imports_nothing(programme_admin_client, programme, field):
    upload(programme_admin_client, programme, csv_upload(GOOD_ROWS[1:]))
    response = confirm(programme_admin_client, programme, **{field: "tampered"})
    assert not programme.assessments.exists()
    if field == "token":
        assert response.status_code == 302
        assert "nothing has been imported" in text(programme_admin_client.get(response["Location"]))
    else:  # shown again, to be checked again
        assert response.status_code == 200
        assert "Check again" in text(response)


def test_a_programme_changed_since_the_check_is_shown_again_before_importing(
    programme_admin_client, programme
):
    upload(programme_admin_client, programme, csv_upload(GOOD_ROWS[1:]))
    page = programme_admin_client.get(check_url(programme))
    token = re.search(r'name="token" value="([^"]*)"', text(page)).group(1)
    fingerprint = re.search(r'name="fingerprint" value="([^"]*)"', text(page)).group(1)
    factories.AssessmentFactory(
        programme=programme, leader=factories.UserFactory(email="ben.okafor@example.nhs.uk")
    )
    response = programme_admin_client.post(
        check_url(programme), {"token": token, "fingerprint": fingerprint}
    )
    assert response.status_code == 200
    assert "The programme changed since you checked this file" in text(response)
    assert re.search(r'id="count-new">\s*1 to be added', text(response))
    assert programme.assessments.count() == 1
    confirm(programme_admin_client, programme)
    assert programme.assessments.count() == 2


def test_a_row_made_invalid_since_the_check_blocks_the_import(
    programme_admin_client, programme, facilitator
):
    upload(programme_admin_client, programme, csv_upload(GOOD_ROWS))
    programme.facilitators.remove(facilitator)
    page = programme_admin_client.get(check_url(programme))
    assert "The file can no longer be imported as it is" in text(page)
    assert 'name="token"' not in text(page)
    response = confirm_behind_the_page(programme_admin_client, programme)
    assert response.status_code == 200
    assert "The file can no longer be imported as it is" in text(response)
    assert not programme.assessments.exists()


def test_another_programmes_admin_gets_404_everywhere(client, programme, framework):
    other_admin = factories.UserFactory()
    factories.ProgrammeFactory(framework=framework).admins.add(other_admin)
    assessment = factories.AssessmentFactory(programme=programme)
    client.force_login(other_admin)
    for url in [
        reverse("imports:upload", args=[programme.pk]),
        check_url(programme),
        reverse("imports:template", args=[programme.pk]),
        reverse("imports:leader_remove", args=[programme.pk, assessment.pk]),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert upload(client, programme, csv_upload(GOOD_ROWS)).status_code == 404
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, programme):
    response = client.get(reverse("imports:upload", args=[programme.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_assessment_of_another_programme_is_404(programme_admin_client, programme, framework):
    elsewhere = factories.AssessmentFactory(
        programme=factories.ProgrammeFactory(framework=framework)
    )
    url = reverse("imports:leader_remove", args=[programme.pk, elsewhere.pk])
    assert programme_admin_client.get(url).status_code == 404
    assert programme_admin_client.post(url).status_code == 404
    assert Assessment.objects.filter(pk=elsewhere.pk).exists()


def test_removing_a_leader_asks_first_then_removes(programme_admin_client, programme):
    assessment = factories.AssessmentFactory(
        programme=programme, leader=factories.UserFactory(full_name="Ada Lovelace")
    )
    factories.InvitationFactory(assessment=assessment, state=Invitation.State.INVITED)
    url = reverse("imports:leader_remove", args=[programme.pk, assessment.pk])
    page = programme_admin_client.get(url)
    assert page.status_code == 200
    assert "Remove Ada Lovelace from the programme?" in text(page)
    assert "the link sent to 1 of them will stop working" in text(page)
    assert Assessment.objects.filter(pk=assessment.pk).exists()  # GET changes nothing

    response = programme_admin_client.post(url)
    assert response.status_code == 302
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert "Ada Lovelace has been removed" in text(programme_admin_client.get(response["Location"]))


def test_a_leader_with_responses_cannot_be_removed_and_the_page_says_why(
    programme_admin_client, programme
):
    assessment = factories.AssessmentFactory(
        programme=programme, leader=factories.UserFactory(full_name="Ada Lovelace")
    )
    factories.ResponseFactory(assessment=assessment)
    factories.ResponseFactory(assessment=assessment)
    url = reverse("imports:leader_remove", args=[programme.pk, assessment.pk])
    page = programme_admin_client.get(url)
    assert "Ada Lovelace cannot be removed" in text(page)
    assert "2 responses have been submitted" in text(page)
    assert "nhsuk-button--warning" not in text(page)

    response = programme_admin_client.post(url)
    assert response.status_code == 200
    assert "nhsuk-error-summary" in text(response)
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_a_damaged_session_entry_is_treated_as_no_check(programme_admin_client, programme):
    session = programme_admin_client.session
    session[f"leader_import_{programme.pk}"] = {"token": "t", "file": {"rows": "nonsense"}}
    session.save()
    response = programme_admin_client.post(check_url(programme), {"token": "t", "fingerprint": "f"})
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:upload", args=[programme.pk])
    assert not programme.assessments.exists()


def test_a_check_belongs_to_its_programme(
    programme_admin_client, programme, framework, programme_admin
):
    other = factories.ProgrammeFactory(framework=framework)
    other.admins.add(programme_admin)
    upload(programme_admin_client, programme, csv_upload(GOOD_ROWS[1:]))
    assert programme_admin_client.get(check_url(other)).status_code == 302  # nothing checked there
    assert not other.assessments.exists()
