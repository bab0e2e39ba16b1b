"""Checking a file of leaders against the programme, importing it, and removing one leader
(assessments.services.imports)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import OutboxEmail, Role
from assessments.forms.imports import leader_file_read
from assessments.models import Assessment, Invitation, RaterGroup
from assessments.services.imports import (
    PlanChanged,
    assessment_remove,
    leader_import_plan,
    leaders_import,
)
from assessments.services.nominations import invitation_nominate
from tests import factories

from .conftest import GOOD_ROWS, HEADINGS, csv_upload, xlsx_upload


def read(upload):
    return leader_file_read(upload=upload)


def problems_of(plan):
    return [(p.row, p.column, p.message) for p in plan.problems]


# Checking --------------------------------------------------------------------------------


def test_every_problem_is_found_with_its_row_and_column(programme, facilitator):
    rows = [
        ["Ada Lovelace", "ada@example.nhs.uk", "", "", ""],  # row 2
        ["Bad Email", "not-an-email", "", "", ""],  # row 3
        ["Ben Okafor", "ben@example.nhs.uk", "", "", ""],  # row 4
        ["Ada Again", "ADA@example.nhs.uk", "", "", ""],  # row 5: duplicate of row 2
        ["", "noname@example.nhs.uk", "", "", ""],  # row 6
        ["Cy Unknown", "cy@example.nhs.uk", "", "", "someone.else@example.nhs.uk"],  # row 7
    ]
    plan = leader_import_plan(programme=programme, leader_file=read(csv_upload(rows)))
    assert problems_of(plan) == [
        (3, "email", "Enter an email address in the correct format, like name@example.nhs.uk"),
        (5, "email", "This email address is also on row 2"),
        (6, "name", "Enter the leader's full name"),
        (
            7,
            "facilitator_email",
            "This is not one of the programme's facilitators. Add them "
            "on the programme's staff page first, or leave this empty.",
        ),
    ]
    assert plan.problem_rows == 4
    assert plan.problems[0].value == "not-an-email"


def test_line_manager_problems_are_found(programme):
    rows = [
        ["Ada", "ada@example.nhs.uk", "Ada", "ada@example.nhs.uk", ""],
        ["Ben", "ben@example.nhs.uk", "Mo", "mo@@example", ""],
        ["Cy", "cy@example.nhs.uk", "", "mo@example.nhs.uk", ""],
        ["Di", "di@example.nhs.uk", "Mo", "", ""],
        ["E" * 201, "e@example.nhs.uk", "", "", ""],
        ["Fay", "f" * 250 + "@example.nhs.uk", "", "", ""],
        ["Gus\x07", "gus@example.nhs.uk", "", "", ""],
    ]
    plan = leader_import_plan(programme=programme, leader_file=read(csv_upload(rows)))
    assert [(row, column) for row, column, _ in problems_of(plan)] == [
        (2, "line_manager_email"),
        (3, "line_manager_email"),
        (4, "line_manager_name"),
        (5, "line_manager_email"),
        (6, "name"),
        (7, "email"),
        (8, "name"),
    ]
    assert "cannot be their own line manager" in plan.problems[0].message
    assert "200 characters or fewer" in plan.problems[4].message
    assert "254 characters or fewer" in plan.problems[5].message
    assert "control characters" in plan.problems[6].message


def test_a_value_under_no_heading_is_a_problem(programme):
    data = 'name,email\n"Smith, Ada",ada@example.nhs.uk\nSmith, Ben,ben@example.nhs.uk\n'
    plan = leader_import_plan(
        programme=programme, leader_file=read(SimpleUploadedFile("l.csv", data.encode()))
    )
    assert [(row, column) for row, column, _ in problems_of(plan)] == [(3, ""), (3, "email")]
    assert "column C, which has no heading" in plan.problems[0].message


def test_the_plan_sorts_rows_into_new_existing_and_line_managers(programme, facilitator):
    factories.AssessmentFactory(
        programme=programme, leader=factories.UserFactory(email="ben.okafor@example.nhs.uk")
    )
    plan = leader_import_plan(programme=programme, leader_file=read(csv_upload(GOOD_ROWS)))
    assert not plan.problems
    assert [r.email for r in plan.new] == [
        "ada.lovelace@example.nhs.uk",
        "chloe.dubois@example.nhs.uk",
    ]
    assert [r.email for r in plan.existing] == ["ben.okafor@example.nhs.uk"]
    assert [r.line_manager_email for r in plan.nominations] == ["mary.manager@example.nhs.uk"]


# Importing -------------------------------------------------------------------------------


def test_importing_adds_leaders_invites_them_and_nominates_line_managers(
    programme, programme_admin, facilitator
):
    plan = leaders_import(
        programme=programme, leader_file=read(csv_upload(GOOD_ROWS)), by=programme_admin
    )
    assert not plan.problems
    ada = Assessment.objects.get(programme=programme, leader__email="ada.lovelace@example.nhs.uk")
    assert ada.leader.full_name == "Ada Lovelace"
    assert ada.leader.has_role(Role.LEADER)
    assert ada.facilitator == facilitator
    (manager,) = ada.invitations.all()
    assert (manager.name, manager.email, manager.rater_group, manager.state) == (
        "Mary Manager",
        "mary.manager@example.nhs.uk",
        RaterGroup.LINE_MANAGER,
        Invitation.State.NOMINATED,
    )
    assert programme.assessments.count() == 3
    assert sorted(OutboxEmail.objects.values_list("to", "kind")) == [
        ("ada.lovelace@example.nhs.uk", "account_invitation"),
        ("ben.okafor@example.nhs.uk", "account_invitation"),
        ("chloe.dubois@example.nhs.uk", "account_invitation"),
    ]


def test_importing_the_same_file_again_changes_nothing(programme, programme_admin, facilitator):
    leaders_import(programme=programme, leader_file=read(csv_upload(GOOD_ROWS)), by=programme_admin)
    emails, invitations = OutboxEmail.objects.count(), Invitation.objects.count()

    plan = leaders_import(
        programme=programme, leader_file=read(xlsx_upload(GOOD_ROWS)), by=programme_admin
    )
    assert plan.changes_nothing and not plan.problems
    assert len(plan.existing) == 3 and len(plan.already_nominated) == 1
    assert programme.assessments.count() == 3
    assert (OutboxEmail.objects.count(), Invitation.objects.count()) == (emails, invitations)


def test_a_line_manager_who_declined_or_was_revoked_is_not_nominated_again(
    programme, programme_admin
):
    rows = [["Ada", "ada@example.nhs.uk", "Mo", "mo@example.nhs.uk", ""]]
    leaders_import(programme=programme, leader_file=read(csv_upload(rows)), by=programme_admin)
    Invitation.objects.update(state=Invitation.State.REVOKED)
    plan = leaders_import(
        programme=programme, leader_file=read(csv_upload(rows)), by=programme_admin
    )
    assert plan.changes_nothing
    assert Invitation.objects.count() == 1


def test_an_existing_leader_gets_a_new_line_manager_but_no_email(programme, programme_admin):
    assessment = factories.AssessmentFactory(
        programme=programme, leader=factories.UserFactory(email="ada@example.nhs.uk")
    )
    rows = [["Ada", "ada@example.nhs.uk", "Mo", "mo@example.nhs.uk", ""]]
    plan = leaders_import(
        programme=programme, leader_file=read(csv_upload(rows)), by=programme_admin
    )
    assert [r.row for r in plan.existing] == [2]
    assert assessment.invitations.get().email == "mo@example.nhs.uk"
    assert not OutboxEmail.objects.exists()


def test_a_leader_with_the_most_line_managers_already_blocks_the_import(programme, programme_admin):
    assessment = factories.AssessmentFactory(
        programme=programme, leader=factories.UserFactory(email="ada@example.nhs.uk")
    )
    for n in range(2):  # the default rules allow 2 line managers
        invitation_nominate(
            assessment=assessment,
            name=f"Manager {'AB'[n]}",
            email=f"m{n}@example.nhs.uk",
            rater_group=RaterGroup.LINE_MANAGER,
            by=programme_admin,
        )
    rows = [
        ["Ada", "ada@example.nhs.uk", "Mo", "mo@example.nhs.uk", ""],
        ["Ben", "ben@example.nhs.uk", "", "", ""],
    ]
    plan = leaders_import(
        programme=programme, leader_file=read(csv_upload(rows)), by=programme_admin
    )
    assert problems_of(plan)[0][:2] == (2, "line_manager_email")
    assert "most line managers allowed (2)" in plan.problems[0].message
    assert not Assessment.objects.filter(leader__email="ben@example.nhs.uk").exists()


def test_nothing_is_imported_when_one_row_is_bad(programme, programme_admin):
    rows = [*GOOD_ROWS[1:], ["Bad", "bad@", "", "", ""]]
    plan = leaders_import(
        programme=programme, leader_file=read(csv_upload(rows)), by=programme_admin
    )
    assert problems_of(plan)[0][:2] == (4, "email")
    assert not programme.assessments.exists()
    assert not OutboxEmail.objects.exists()


def test_line_managers_cannot_be_nominated_once_the_programme_has_closed(
    programme, programme_admin
):
    programme.closed_at = timezone.now() - timedelta(minutes=1)
    programme.save()
    rows = [["Ada", "ada@example.nhs.uk", "Mo", "mo@example.nhs.uk", ""]]
    plan = leaders_import(
        programme=programme, leader_file=read(csv_upload(rows)), by=programme_admin
    )
    assert "has closed" in plan.problems[0].message
    assert not programme.assessments.exists()


def test_line_managers_are_refused_where_the_programme_asks_for_none(programme, programme_admin):
    programme.nomination_rules.filter(rater_group=RaterGroup.LINE_MANAGER).update(
        minimum=0, maximum=0
    )
    rows = [["Ada", "ada@example.nhs.uk", "Mo", "mo@example.nhs.uk", ""]]
    plan = leaders_import(
        programme=programme, leader_file=read(csv_upload(rows)), by=programme_admin
    )
    assert "does not ask for feedback from line managers" in plan.problems[0].message
    assert not programme.assessments.exists()


# Removing a leader -----------------------------------------------------------------------


def test_a_leader_without_responses_is_removed_with_their_raters(programme, programme_admin):
    assessment = factories.AssessmentFactory(programme=programme)
    factories.InvitationFactory(assessment=assessment)
    leader = assessment.leader
    from accounts.roles import role_grant

    role_grant(user=leader, role=Role.LEADER)
    assessment_remove(assessment=assessment, by=programme_admin)
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert not Invitation.objects.exists()
    leader.refresh_from_db()
    assert not leader.has_role(Role.LEADER)


def test_a_leader_with_a_submitted_response_cannot_be_removed(programme, programme_admin):
    assessment = factories.AssessmentFactory(programme=programme)
    factories.ResponseFactory(assessment=assessment, rater_group=RaterGroup.SELF)
    with pytest.raises(ValidationError, match="1 response has been submitted"):
        assessment_remove(assessment=assessment, by=programme_admin)
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_headings_constant_matches_the_template_columns():
    from assessments.services.imports import COLUMNS

    assert list(COLUMNS) == HEADINGS


def test_an_import_that_would_now_differ_from_what_was_confirmed_writes_nothing(
    programme, programme_admin
):
    leader_file = read(csv_upload(GOOD_ROWS[1:]))
    confirmed = leader_import_plan(programme=programme, leader_file=leader_file).fingerprint()
    factories.AssessmentFactory(
        programme=programme, leader=factories.UserFactory(email="ben.okafor@example.nhs.uk")
    )
    with pytest.raises(PlanChanged) as caught:
        leaders_import(
            programme=programme, leader_file=leader_file, by=programme_admin, fingerprint=confirmed
        )
    assert [row.email for row in caught.value.plan.new] == ["chloe.dubois@example.nhs.uk"]
    assert programme.assessments.count() == 1
    assert not OutboxEmail.objects.exists()
