"""Who runs a programme: its admins and facilitators, and each leader's facilitator.

Membership of ``programme.admins`` / ``programme.facilitators`` decides what a person may
touch; the matching role (``accounts.roles``) says what kind of work they do. A programme
always keeps at least one admin, and a leader's facilitator is always one of the
programme's facilitators.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import audit_record, person_ref
from accounts.emails import email_queue
from accounts.models import AuditAction, Role, User
from accounts.roles import role_grant

from ..models import Assessment, Programme

STAFF_ROLES = {Role.PROGRAMME_ADMIN: "admins", Role.FACILITATOR: "facilitators"}
ROLE_NOUNS = {Role.PROGRAMME_ADMIN: "programme admin", Role.FACILITATOR: "facilitator"}


def programme_staff(*, programme: Programme, role: Role):
    """The programme's admins or facilitators (a related manager)."""
    return getattr(programme, STAFF_ROLES[Role(role)])


@transaction.atomic
def programme_staff_add(
    *, programme: Programme, role: Role, email: str, full_name: str = "", by: User
) -> tuple[User, bool]:
    """Make someone an admin or facilitator of the programme, granting the matching role.

    Someone with no account gets one, and an email inviting them to set a password (so does
    an account whose password was never set). Returns the person and whether they were
    added now; adding someone already there changes nothing and sends nothing.
    """
    role = Role(role)
    members = programme_staff(programme=programme, role=role)
    email = User.objects.normalize_email(email.strip()).lower()
    existing = User.objects.filter(email__iexact=email).first()
    new_account = existing is None
    if existing is None:
        full_name = " ".join(full_name.split())
        if not full_name:
            raise ValidationError(
                {
                    "full_name": "Enter their full name: there is no account with this email "
                    "address yet, so one will be created for them"
                }
            )
        user = User.objects.create_user(email=email, full_name=full_name)  # unusable password
    elif not existing.is_active:
        raise ValidationError(
            {
                "email": "The account with this email address has been switched off. Ask a "
                "site administrator to switch it back on first."
            }
        )
    else:
        user = existing
    role_grant(user=user, role=role)
    if members.filter(pk=user.pk).exists():
        return user, False
    members.add(user)
    _audit(programme, user=user, role=role, by=by, action=AuditAction.ROLE_GRANTED)
    if new_account or not user.has_usable_password():
        email_queue(
            kind="account_invitation",
            to=user.email,
            context={"user_id": user.pk, "programme_id": programme.pk, "added_by_id": by.pk},
        )
    return user, True


def programme_staff_remove(*, programme: Programme, role: Role, user: User, by: User) -> int:
    """Take someone off the programme's admins or facilitators. A facilitator's leaders
    are left without a facilitator; returns how many. The last admin cannot be removed,
    so no programme is left without anyone to run it."""
    role = Role(role)
    with transaction.atomic():
        # Two admins removing each other at the same moment must not leave none.
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        members = programme_staff(programme=programme, role=role)
        if not members.filter(pk=user.pk).exists():
            return 0
        if role == Role.PROGRAMME_ADMIN and members.count() == 1:
            if user == by:
                raise ValidationError(
                    "You are the only admin of this programme. Add another admin before "
                    "removing yourself."
                )
            raise ValidationError(
                f"{user.full_name} is the only admin of this programme. Add another admin "
                "before removing them."
            )
        members.remove(user)
        _audit(programme, user=user, role=role, by=by, action=AuditAction.ROLE_REVOKED)
        if role == Role.FACILITATOR:
            return programme.assessments.filter(facilitator=user).update(facilitator=None)
    return 0


def _audit(programme: Programme, *, user: User, role: Role, by: User, action) -> None:
    """Role changes are audited as what they give: access to this programme."""
    audit_record(
        actor=by,
        action=action,
        programme=programme,
        obj=user,
        detail={"person": person_ref(user), "role": ROLE_NOUNS[role]},
    )


def assessment_facilitator_set(
    *, assessment: Assessment, facilitator: User | None, by: User
) -> Assessment:
    """Give a leader a facilitator from the programme's facilitators, or none."""
    if (
        facilitator is not None
        and not assessment.programme.facilitators.filter(pk=facilitator.pk).exists()
    ):
        raise ValidationError({"facilitator": "Choose one of the programme's facilitators"})
    Assessment.objects.filter(pk=assessment.pk).update(facilitator=facilitator)
    assessment.facilitator = facilitator
    return assessment
