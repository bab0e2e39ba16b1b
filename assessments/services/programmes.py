"""Writes to programmes and assessments: creating, adding leaders, closing."""

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, Role, User
from accounts.roles import role_grant

from ..models import DEFAULT_NOMINATION_RULES, Assessment, NominationRule, Programme


def nomination_rules_create_defaults(*, programme: Programme) -> None:
    NominationRule.objects.bulk_create(
        [
            NominationRule(programme=programme, rater_group=group, minimum=low, maximum=high)
            for group, (low, high) in DEFAULT_NOMINATION_RULES.items()
        ],
        ignore_conflicts=True,
    )


def nomination_rules_set(*, programme: Programme, rules: dict) -> None:
    """Replace the programme's rules: ``{RaterGroup: (minimum, maximum)}``."""
    for group, (low, high) in rules.items():
        NominationRule.objects.update_or_create(
            programme=programme, rater_group=group, defaults={"minimum": low, "maximum": high}
        )


@transaction.atomic
def programme_create(
    *, created_by: User | None = None, rules: dict | None = None, **fields
) -> Programme:
    """A programme with nomination rules (the defaults unless given); its creator runs it."""
    programme = Programme(**fields)
    programme.full_clean()
    programme.save()
    nomination_rules_create_defaults(programme=programme)
    if rules:
        nomination_rules_set(programme=programme, rules=rules)
    if created_by is not None:
        programme.admins.add(created_by)
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, rules: dict | None = None, **fields) -> Programme:
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    if rules:
        nomination_rules_set(programme=programme, rules=rules)
    return programme


@transaction.atomic
def assessment_create(
    *,
    programme: Programme,
    email: str,
    full_name: str,
    facilitator: User | None = None,
    added_by: User | None = None,
) -> tuple[Assessment, bool]:
    """Add a leader to a programme (once). New accounts get an invitation to set a password.

    Returns the assessment and whether it was created now.
    """
    from accounts.emails import email_queue

    email = User.objects.normalize_email(email).lower()
    # Emails are stored lower-case, so an exact match uses the unique index.
    user = User.objects.filter(email=email).first()
    new_account = user is None
    if new_account:
        user = User.objects.create_user(email=email, full_name=full_name)  # unusable password
    role_grant(user=user, role=Role.LEADER)
    assessment, created = Assessment.objects.get_or_create(
        programme=programme, leader=user, defaults={"facilitator": facilitator}
    )
    if created:
        email_queue(
            kind="account_invitation"
            if new_account or not user.has_usable_password()
            else "added_to_programme",
            to=user.email,
            context={
                "user_id": user.pk,
                "programme_id": programme.pk,
                "added_by_id": added_by.pk if added_by else None,
            },
        )
    return assessment, created


@transaction.atomic
def programme_close(*, programme: Programme, now=None, by: User | None = None) -> bool:
    """Stop accepting drafts and submissions, and ask for every leader's reports. An
    on-close programme is released at the same moment: its reports are rendered after this
    transaction commits, and frozen from then on. Returns False if it was already closed.
    ``by`` is the admin who closed it early; None when the closing time passed."""
    now = now or timezone.now()
    from reports.release import programme_reports_release
    from reports.services import reports_generate_for_programme

    updated = Programme.objects.filter(pk=programme.pk, closed_at__isnull=True).update(
        closed_at=min(now, programme.closes_at)
    )
    programme.refresh_from_db()
    if updated:
        audit_record(
            actor=by,
            action=AuditAction.PROGRAMME_CLOSED,
            programme=programme,
            obj=programme,
            detail={"early": programme.closed_at < programme.closes_at},
        )
        # Rendered by the report workers after this transaction commits.
        reports_generate_for_programme(programme=programme)
        if programme.release_mode == Programme.ReleaseMode.ON_CLOSE:
            programme_reports_release(programme=programme, by=by, now=programme.closed_at)
            programme.refresh_from_db()
    return bool(updated)
