"""Adding leaders in bulk from a CSV or Excel file, and removing one leader.

An import happens in three steps: the uploaded file is read into a ``LeaderFile``
(``assessments.forms.imports.leader_file_read``, which refuses files it cannot use), every
row is checked against the programme (``leader_import_plan``) so the admin sees what will
happen, and only then is anything written (``leaders_import``), all or nothing. Importing
the same file again changes nothing: leaders already in the programme are left as they are
and their line managers, once nominated, are not nominated again.
"""

import hashlib
import json
from collections import Counter
from dataclasses import astuple, dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.audit import audit_record
from accounts.models import AuditAction, Role, User
from accounts.roles import role_revoke

from ..models import Assessment, Invitation, NominationRule, Programme, RaterGroup
from .nominations import invitation_nominate
from .programmes import assessment_create

# The columns a file may have, in the template's order.
COLUMNS = ("name", "email", "line_manager_name", "line_manager_email", "facilitator_email")
NAME_MAX_LENGTH = 200
# Problems shown on a page; the rest are counted ("and 120 more problems"), so a file of
# thousands of bad rows still gets a short page.
MAX_LISTED_PROBLEMS = 50
EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True)
class LeaderRow:
    """One leader's row, as text. ``row`` is the row number a spreadsheet shows."""

    row: int
    name: str = ""
    email: str = ""
    line_manager_name: str = ""
    line_manager_email: str = ""
    facilitator_email: str = ""
    stray_cells: str = ""  # letters of cells with a value under no heading: "D, F"


@dataclass(frozen=True)
class LeaderFile:
    """What was read from an uploaded file. ``headings`` maps each column found to the
    heading as written and its column letter, so problems can be named the file's way."""

    filename: str
    headings: dict[str, tuple[str, str]]
    rows: list[LeaderRow]

    def as_data(self) -> dict:
        """A JSON-ready copy (for the session, between the check and the import)."""
        return {
            "filename": self.filename,
            "headings": {column: list(h) for column, h in self.headings.items()},
            "rows": [list(astuple(row)) for row in self.rows],
        }

    @classmethod
    def from_data(cls, data: dict) -> "LeaderFile":
        return cls(
            filename=str(data["filename"]),
            headings={column: (h[0], h[1]) for column, h in data["headings"].items()},
            rows=[LeaderRow(*row) for row in data["rows"]],
        )


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str  # the heading as written in the file; empty for the whole row
    letter: str
    value: str
    message: str


@dataclass
class ImportPlan:
    """What importing a file would do now. Nothing may be imported while it has problems."""

    leader_file: LeaderFile
    problems: list[RowProblem] = field(default_factory=list)
    new: list[LeaderRow] = field(default_factory=list)
    existing: list[LeaderRow] = field(default_factory=list)
    nominations: list[LeaderRow] = field(default_factory=list)
    already_nominated: list[LeaderRow] = field(default_factory=list)

    @property
    def listed_problems(self) -> list[RowProblem]:
        return self.problems[:MAX_LISTED_PROBLEMS]

    @property
    def unlisted_problems(self) -> str:
        """How many problems are not listed, as text ("2,950"); empty when none."""
        unlisted = len(self.problems) - MAX_LISTED_PROBLEMS
        return f"{unlisted:,}" if unlisted > 0 else ""

    @property
    def problem_rows(self) -> int:
        return len({problem.row for problem in self.problems})

    @property
    def nomination_rows(self) -> set[int]:
        return {row.row for row in self.nominations}

    @property
    def changes_nothing(self) -> bool:
        return not self.new and not self.nominations

    def fingerprint(self) -> str:
        """Changes whenever what the import would do changes."""
        actions = [
            [row.email for row in self.new],
            [[row.email, row.line_manager_email] for row in self.nominations],
            len(self.problems),
        ]
        return hashlib.sha256(json.dumps(actions).encode()).hexdigest()[:32]


# Checking rows against the programme -----------------------------------------------------


def _name_problem(value: str) -> str | None:
    if len(value) > NAME_MAX_LENGTH:
        return f"A name must be {NAME_MAX_LENGTH} characters or fewer"
    if any(not character.isprintable() for character in value):
        return "Remove the hidden control characters from this name"
    return None


def _email_problem(value: str) -> str | None:
    if len(value) > EMAIL_MAX_LENGTH:
        return f"An email address must be {EMAIL_MAX_LENGTH} characters or fewer"
    try:
        validate_email(value)
    except ValidationError:
        return "Enter an email address in the correct format, like name@example.nhs.uk"
    return None


def leader_import_plan(*, programme: Programme, leader_file: LeaderFile) -> ImportPlan:
    """Check every row and sort the rows by what importing them would do. Reads only;
    a fixed number of queries whatever the number of rows."""
    plan = ImportPlan(leader_file=leader_file)
    facilitators = {
        email.lower() for email in programme.facilitators.values_list("email", flat=True)
    }
    assessments = {
        email.lower(): pk for pk, email in programme.assessments.values_list("pk", "leader__email")
    }
    invitations = Invitation.objects.filter(assessment__programme=programme)
    # Anyone ever nominated for the leader, even if they declined or were revoked since, is
    # left alone: re-importing a file must not bring them back.
    nominated = {
        (pk, email.lower()) for pk, email in invitations.values_list("assessment_id", "email")
    }
    live = invitations.exclude(state__in=(Invitation.State.DECLINED, Invitation.State.REVOKED))
    line_managers = Counter(
        live.filter(rater_group=RaterGroup.LINE_MANAGER).values_list("assessment_id", flat=True)
    )
    rule = NominationRule.objects.filter(
        programme=programme, rater_group=RaterGroup.LINE_MANAGER
    ).first()
    most_line_managers = rule.maximum if rule else 0
    closed = programme.is_closed
    first_row_of: dict[str, int] = {}

    for row in leader_file.rows:
        problems: list = []

        def problem(column, message, value=None, row=row, problems=problems):
            heading, letter = leader_file.headings.get(column, (column, ""))
            text = getattr(row, column, "") if value is None else value
            problems.append(RowProblem(row.row, heading, letter, text[:100], message))

        if row.stray_cells:
            problem(
                "",
                f"There is a value in column {row.stray_cells}, which has no heading. Move it "
                "under the right heading, or put a name containing a comma in double quotes.",
                value="",
            )
        if not row.name:
            problem("name", "Enter the leader's full name")
        elif message := _name_problem(row.name):
            problem("name", message)
        email_ok = False
        if not row.email:
            problem("email", "Enter the leader's email address")
        elif message := _email_problem(row.email):
            problem("email", message)
        elif row.email in first_row_of:
            problem("email", f"This email address is also on row {first_row_of[row.email]}")
        else:
            first_row_of[row.email] = row.row
            email_ok = True
        if row.facilitator_email:
            if message := _email_problem(row.facilitator_email):
                problem("facilitator_email", message)
            elif row.facilitator_email not in facilitators:
                problem(
                    "facilitator_email",
                    "This is not one of the programme's facilitators. Add them on the "
                    "programme's staff page first, or leave this empty.",
                )
        lm_ok = _line_manager_checked(row, problem)
        assessment_pk = assessments.get(row.email)
        if lm_ok and email_ok:
            if assessment_pk and (assessment_pk, row.line_manager_email) in nominated:
                plan.already_nominated.append(row)
            elif closed:
                problem(
                    "line_manager_email",
                    "The programme has closed: line managers can no longer be nominated",
                )
            elif most_line_managers == 0:
                problem(
                    "line_manager_email",
                    "This programme does not ask for feedback from line managers. Leave "
                    "this empty.",
                )
            elif assessment_pk and line_managers[assessment_pk] >= most_line_managers:
                problem(
                    "line_manager_email",
                    f"This leader already has the most line managers allowed "
                    f"({most_line_managers}). Leave this empty, or remove one of their "
                    "line managers first.",
                )
            else:
                plan.nominations.append(row)
        plan.problems.extend(problems)
        if email_ok:
            (plan.existing if assessment_pk else plan.new).append(row)
    return plan


def _line_manager_checked(row: LeaderRow, problem) -> bool:
    """Whether the row names a line manager who can be nominated, as far as the row says."""
    if not row.line_manager_email:
        if row.line_manager_name:
            problem(
                "line_manager_email",
                "Enter the line manager's email address, or leave their name empty too",
            )
        return False
    ok = True
    if not row.line_manager_name:
        problem("line_manager_name", "Enter the line manager's name")
        ok = False
    elif message := _name_problem(row.line_manager_name):
        problem("line_manager_name", message)
        ok = False
    if message := _email_problem(row.line_manager_email):
        problem("line_manager_email", message)
        ok = False
    elif row.line_manager_email == row.email:
        problem(
            "line_manager_email",
            "A leader cannot be their own line manager. Enter their line manager's email address.",
        )
        ok = False
    return ok


# Writing --------------------------------------------------------------------------------


class PlanChanged(Exception):
    """What the import would do is no longer what the admin was shown."""

    def __init__(self, plan: ImportPlan):
        super().__init__("the import plan has changed since it was checked")
        self.plan = plan


class _Refused(Exception):
    pass


def leaders_import(
    *, programme: Programme, leader_file: LeaderFile, by: User, fingerprint: str | None = None
) -> ImportPlan:
    """Add every new leader (each gets an account invitation through the outbox) and
    nominate the line managers given, in one transaction. Leaders already in the programme
    are left unchanged and are not emailed again.

    The rows are checked again first, against the programme as it is now. If any row has a
    problem, nothing is written and the plan returned carries the problems. Given the
    ``fingerprint`` of the plan the admin confirmed, raises PlanChanged, writing nothing,
    when the import would now do something else.
    """
    try:
        with transaction.atomic():
            # One import at a time per programme, so a double click cannot add anyone twice.
            Programme.objects.select_for_update().filter(pk=programme.pk).first()
            plan = leader_import_plan(programme=programme, leader_file=leader_file)
            if fingerprint is not None and plan.fingerprint() != fingerprint:
                raise PlanChanged(plan)
            if plan.problems:
                return plan
            _plan_carry_out(plan, programme=programme, by=by)
            audit_record(
                actor=by,
                action=AuditAction.LEADERS_IMPORTED,
                programme=programme,
                obj=programme,
                detail={
                    "filename": plan.leader_file.filename,
                    "added": len(plan.new),
                    "line_managers": len(plan.nominations),
                },
            )
    except _Refused:
        pass
    return plan


def _plan_carry_out(plan: ImportPlan, *, programme: Programme, by: User) -> None:
    facilitators = {user.email.lower(): user for user in programme.facilitators.all()}
    assessments = {
        assessment.leader.email.lower(): assessment
        for assessment in programme.assessments.select_related("leader")
    }
    for row in plan.new:
        assessments[row.email], _ = assessment_create(
            programme=programme,
            email=row.email,
            full_name=row.name,
            facilitator=facilitators.get(row.facilitator_email),
        )
    for row in plan.nominations:
        try:
            invitation_nominate(
                assessment=assessments[row.email],
                name=row.line_manager_name,
                email=row.line_manager_email,
                rater_group=RaterGroup.LINE_MANAGER,
                by=by,
            )
        except ValidationError as error:
            # The checks above should have caught this; if not, nothing is kept.
            heading, letter = plan.leader_file.headings["line_manager_email"]
            for message in error.messages:
                plan.problems.append(
                    RowProblem(row.row, heading, letter, row.line_manager_email, message)
                )
            raise _Refused from error


def import_summary(plan: ImportPlan) -> str:
    """What an import did, as the admin is told."""
    if plan.changes_nothing:
        return "Nothing has changed: everyone in the file was already in the programme."
    parts = [f"{len(plan.new)} new leader{'s' if len(plan.new) != 1 else ''} added"]
    if plan.new:
        parts[0] += " and sent an invitation"
    if plan.nominations:
        count = len(plan.nominations)
        parts.append(f"{count} line manager{'s' if count != 1 else ''} nominated")
    return "Import complete: " + ", ".join(parts) + "."


@transaction.atomic
def assessment_remove(*, assessment: Assessment, by: User) -> None:
    """Take a leader out of a programme, with their nominations and drafts. Refused once any
    response (their self-assessment included) has been submitted for them: that feedback
    is never deleted this way. Their account stays."""
    assessment = (
        Assessment.objects.select_for_update().select_related("leader").get(pk=assessment.pk)
    )
    list(assessment.invitations.select_for_update().values_list("pk", flat=True))
    submitted = assessment.responses.count() + assessment.envelopes.count()
    if submitted:
        raise ValidationError(
            f"{assessment.leader.full_name} cannot be removed: "
            f"{submitted} response{'s have' if submitted > 1 else ' has'} been submitted for "
            "them, and removing them would delete that feedback."
        )
    leader = assessment.leader
    assessment.delete()
    if not leader.assessments.exists():
        role_revoke(user=leader, role=Role.LEADER)
