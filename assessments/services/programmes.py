"""Writes to programmes and assessments: creating, adding leaders, closing."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, Role, User
from accounts.roles import role_grant

from ..models import DEFAULT_NOMINATION_RULES, Assessment, NominationRule, Programme
from ..signals import programme_closed


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


REOPEN_REASON_MAX_LENGTH = 1000


@transaction.atomic
def programme_update(
    *, programme: Programme, rules: dict | None = None, by: User | None = None, **fields
) -> Programme:
    """Change a programme's settings. Refused (ValidationError): k once the first invitation
    has gone out (raters were promised that k; PRODUCT.md, promise 8) or lowered at any time;
    the closing time once it has passed (that needs ``programme_reopen``, audited). A change
    of k before then is audited."""
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    errors = {}
    k = fields.get("anonymity_threshold", current.anonymity_threshold)
    if k != current.anonymity_threshold:
        if current.threshold_fixed_at is not None:
            errors["anonymity_threshold"] = (
                f"k is fixed at {current.anonymity_threshold}: raters were invited with the "
                "promise that groups smaller than that are never shown on their own."
            )
        elif k < current.anonymity_threshold:
            errors["anonymity_threshold"] = (
                f"k can only be raised (it is {current.anonymity_threshold} now)."
            )
    closes_at = fields.get("closes_at", current.closes_at)
    passed = current.closed_at is not None or timezone.now() >= current.closes_at
    if closes_at != current.closes_at and passed:
        errors["closes_at"] = (
            "The closing time has passed, so it cannot be moved here. To accept more "
            "feedback, reopen the programme: that is recorded in the audit log and says "
            "what leaders will see."
        )
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    if k != current.anonymity_threshold:
        audit_record(
            actor=by,
            action=AuditAction.THRESHOLD_CHANGED,
            programme=programme,
            obj=programme,
            detail={"from": current.anonymity_threshold, "to": k},
        )
    if rules:
        nomination_rules_set(programme=programme, rules=rules)
    return programme


def programme_threshold_fix(*, programme: Programme, now=None) -> None:
    """k is fixed from the first invitation on: the k promised in the email is enforced."""
    Programme.objects.filter(pk=programme.pk, threshold_fixed_at__isnull=True).update(
        threshold_fixed_at=now or timezone.now()
    )


@transaction.atomic
def programme_reopen(*, programme: Programme, closes_at, reason: str, by: User) -> Programme:
    """Accept feedback again until ``closes_at``, after the close. Audited with its reason.

    Released reports stay as the leaders were given them. Feedback that arrives now is added
    to a leader's reports only in a new version, and only if comparing it with what the
    leader has already seen cannot single anyone out (reports.versions); until then it is
    held and counted for the admins.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if programme.state_at() == Programme.State.OPEN:
        errors[NON_FIELD_ERRORS] = f"{programme.name} is open: there is nothing to reopen."
    elif programme.purged_at is not None:
        errors[NON_FIELD_ERRORS] = (
            f"The raw data of {programme.name} was deleted under its retention period: it "
            "cannot be reopened."
        )
    if not reason:
        errors["reason"] = "Enter why the programme is being reopened"
    elif len(reason) > REOPEN_REASON_MAX_LENGTH:
        errors["reason"] = f"The reason must be {REOPEN_REASON_MAX_LENGTH} characters or fewer"
    if closes_at is None or closes_at <= timezone.now():
        errors["closes_at"] = "The new closing time must be in the future"
    if errors:
        raise ValidationError(errors)
    Programme.objects.filter(pk=programme.pk).update(closed_at=None, closes_at=closes_at)
    programme.refresh_from_db()
    audit_record(
        actor=by,
        action=AuditAction.PROGRAMME_REOPENED,
        programme=programme,
        obj=programme,
        detail={
            "reason": reason,
            "closes_at": timezone.localtime(closes_at).strftime("%-d %B %Y %H:%M"),
        },
    )
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
    existing = User.objects.filter(email=email).first()
    new_account = existing is None
    user = existing or User.objects.create_user(email=email, full_name=full_name)  # no password
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
    """Stop accepting drafts and submissions, seal every answer still waiting, and ask for
    every leader's reports. An
    on-close programme is released at the same moment: its reports are rendered after this
    transaction commits, and frozen from then on. Returns False if it was already closed.
    ``by`` is the admin who closed it early; None when the closing time passed."""
    now = now or timezone.now()
    from .sealing import envelopes_seal

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
            detail={"early": min(now, programme.closes_at) < programme.closes_at},
        )
        # Every answer still waiting is sealed now, before the reports read them.
        envelopes_seal(programme_id=programme.pk, final=True)
        # The reports app asks for every leader's reports (rendered after this transaction
        # commits) and releases an on-close programme.
        programme_closed.send(sender=Programme, programme=programme, by=by)
        if programme.release_mode == Programme.ReleaseMode.ON_CLOSE:
            programme.refresh_from_db()
    return bool(updated)
