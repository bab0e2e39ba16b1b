"""The audit log: what people did, to which object, and when (``AuditEvent``).

An audited service calls ``audit_record`` inside its own transaction, so an event is written
if and only if the action took effect. Events are never changed or deleted (the model, its
queryset and, on PostgreSQL, a trigger refuse), with one exception: erasure and retention
*redact* the names and emails an event carries (``audit_redact_person``, and for raters
``assessments.audit.audit_redact_raters``) so the history stays complete without naming the
person.

People are named only in ``actor_label`` and in ``detail``, and in ``detail`` always as a
reference built by ``person_ref`` or ``rater_ref``: ``{"user_id" | "invitation_id", "name",
"email"}``. That is what redaction looks for, together with any free text (a reopen's
reason) that mentions the person's name or email.
"""

import re
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from .models import AuditAction, AuditEvent, User

SYSTEM_LABEL = "LPC 360 (scheduled task)"
ERASED = "[erased]"
ERASED_ACTOR_LABEL = "Erased person"
PERSONAL_KEYS = ("name", "email")
# A name shorter than this is not searched for in free text: it would match ordinary words.
MIN_NAME_LENGTH = 4


def person_ref(user: User) -> dict:
    """How ``detail`` names a person with an account."""
    return {"user_id": user.pk, "name": user.full_name, "email": user.email}


def rater_ref(invitation) -> dict:
    """How ``detail`` names a rater (who has no account)."""
    return {
        "invitation_id": invitation.pk,
        "name": invitation.name,
        "email": invitation.email,
        "group": invitation.get_rater_group_display(),
    }


def actor_label(user: User | None) -> str:
    if user is None:
        return SYSTEM_LABEL
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def audit_record(
    *, actor: User | None, action: str, programme=None, obj=None, detail: dict | None = None
) -> AuditEvent:
    """Write one event. ``actor`` None is LPC 360's own scheduled work."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor_label(actor),
        action=AuditAction(action),
        programme_id_ref=programme.pk if programme is not None else None,
        programme_label=programme.name if programme is not None else "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
    )


# Reading --------------------------------------------------------------------------------


def audit_events_for_programme(*, programme) -> QuerySet[AuditEvent]:
    """The programme's events, newest first."""
    return AuditEvent.objects.filter(programme_id_ref=programme.pk).order_by("-at", "-pk")


def _name(ref) -> str:
    if isinstance(ref, dict) and ref.get("name"):
        return ref["name"]
    return "someone"


def _plural(n, word) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def audit_event_summary(event: AuditEvent) -> str:
    """One line saying what the event was about, from its ``detail``."""
    d = event.detail if isinstance(event.detail, dict) else {}
    leader = _name(d.get("leader"))
    action = event.action
    A = AuditAction
    if action in (A.EXPORT_REQUESTED, A.EXPORT_DOWNLOADED):
        shown = "leaders named" if d.get("named") else "leaders pseudonymised"
        return f"{d.get('kind', 'Cohort')} export ({shown})"
    if action in (A.REPORT_VIEWED, A.REPORT_DOWNLOADED):
        return f"{d.get('theme', 'A')} report of {leader}"
    if action == A.REOPENED:
        return f"Reports of {leader} reopened. Reason: {d.get('reason', '')}"
    if action == A.DEBRIEF_RECORDED:
        released = " and reports released" if d.get("released") else ""
        return f"Debrief with {leader} on {d.get('held_on', '?')} recorded{released}"
    if action == A.RELEASED:
        if "leader" in d:
            return f"Reports of {leader} released"
        return "Every leader's reports released"
    if action in (A.INVITATION_REVOKED, A.INVITATION_REISSUED, A.RATER_ERASED):
        rater = d.get("rater") or {}
        return f"{_name(rater)} ({rater.get('group', 'rater')}), rater for {leader}"
    if action == A.COMMENT_REDACTED:
        return f"A comment on {d.get('theme', 'a theme')} in the feedback for {leader}"
    if action in (A.ROLE_GRANTED, A.ROLE_REVOKED):
        return f"{_name(d.get('person'))} as {d.get('role', 'staff')}"
    if action == A.LEADER_ERASED:
        return (
            f"Account {d.get('user_id', '')} anonymised; "
            f"{_plural(d.get('assessments', 0), 'assessment')} and "
            f"{_plural(d.get('reports', 0), 'report')} deleted"
        )
    if action == A.THRESHOLD_CHANGED:
        return f"k changed from {d.get('from', '?')} to {d.get('to', '?')}"
    if action == A.PROGRAMME_REOPENED:
        return f"Reopened until {d.get('closes_at', '?')}. Reason: {d.get('reason', '')}"
    if action == A.PROGRAMME_CLOSED:
        return (
            "Closed early, before its closing time"
            if d.get("early")
            else ("Closed at its closing time")
        )
    if action == A.LEADERS_IMPORTED:
        managers = d.get("line_managers", 0)
        return (
            f"{_plural(d.get('added', 0), 'leader')} added, "
            f"{_plural(managers, 'line manager')} nominated, from {d.get('filename', 'a file')}"
        )
    if action == A.RETENTION_PURGED:
        deleted = d.get("deleted") or {}
        return (
            f"Deleted {_plural(deleted.get('ratings', 0), 'rating')}, "
            f"{_plural(deleted.get('comments', 0), 'comment')}, "
            f"{_plural(deleted.get('drafts', 0), 'draft')}; removed the names and emails "
            f"of {_plural(deleted.get('raters', 0), 'rater')}"
        )
    return ""


# Redacting ------------------------------------------------------------------------------


# Which programmes' events may name a person: each app that ties people to programmes
# registers a finder ``user -> set of programme ids`` (assessments: the programmes they lead
# in, run or support), in its AppConfig.ready(). accounts never imports the apps above it.
_person_programme_finders: list[Callable[[User], set[int]]] = []


def audit_person_programmes_register(finder: Callable[[User], set[int]]) -> None:
    if finder not in _person_programme_finders:
        _person_programme_finders.append(finder)


def audit_redact_person(*, user: User) -> int:
    """Replace a person's name and email everywhere the audit log carries them: as the
    actor, in references to them, and in free text. Call it before the account itself is
    anonymised (it searches for the current name and email). Returns the rows changed."""
    programme_ids: set[int] = set()
    for finder in _person_programme_finders:
        programme_ids |= set(finder(user))
    candidates = AuditEvent.objects.filter(
        Q(actor=user)
        | Q(object_type=User._meta.label_lower, object_id=str(user.pk))
        | Q(programme_id_ref__in=programme_ids)
    )
    return _redact(
        candidates,
        key="user_id",
        ids={user.pk},
        texts=[user.email, user.full_name],
        actor=user,
    )


def audit_redact_references(
    *, object_type: str, key: str, ids: set, texts: list[str], programme_ids: set[int]
) -> int:
    """Redact the people an app names by its own references (``key`` in ``detail``, e.g.
    raters by ``invitation_id``: ``assessments.audit.audit_redact_raters``): events about
    those objects and the events of those programmes. Returns the rows changed."""
    if not ids:
        return 0
    candidates = AuditEvent.objects.filter(
        Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
        | Q(programme_id_ref__in=programme_ids)
    )
    return _redact(candidates, key=key, ids=ids, texts=texts)


def _redact(candidates, *, key: str, ids: set, texts: list[str], actor: User | None = None) -> int:
    pattern = _pattern(texts)
    changed = 0
    with transaction.atomic():
        _redaction_mode(on=True)
        for event in candidates.only("pk", "actor_id", "actor_label", "detail"):
            label = event.actor_label
            if actor is not None and event.actor_id == actor.pk:
                label = ERASED_ACTOR_LABEL
            elif pattern is not None:
                label = pattern.sub(ERASED, label)
            detail = _scrub(event.detail, key=key, ids=ids, pattern=pattern)
            if label != event.actor_label or detail != event.detail:
                AuditEvent.objects.filter(pk=event.pk).redact_personal_columns(
                    actor_label=label, detail=detail
                )
                changed += 1
        _redaction_mode(on=False)
    return changed


def _pattern(texts: list[str]) -> re.Pattern | None:
    words = sorted(
        {t.strip() for t in texts if t and len(t.strip()) >= MIN_NAME_LENGTH},
        key=len,
        reverse=True,
    )
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def _scrub(value, *, key, ids, pattern):
    if isinstance(value, dict):
        named = value.get(key) in ids
        return {
            k: ERASED
            if named and k in PERSONAL_KEYS
            else _scrub(v, key=key, ids=ids, pattern=pattern)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v, key=key, ids=ids, pattern=pattern) for v in value]
    if isinstance(value, str) and pattern is not None:
        return pattern.sub(ERASED, value)
    return value


def _redaction_mode(*, on: bool) -> None:
    """Tell the PostgreSQL trigger that this transaction redacts (SET LOCAL: it ends with
    the transaction, and is switched off again as soon as the redaction is done)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lpc360.audit_redaction', %s, true)", ["on" if on else "off"]
        )
