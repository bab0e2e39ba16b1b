"""What the audit log needs to know about assessments' people (accounts.audit stays below).

``audit_redact_raters`` redacts raters, who have no account, by invitation; the finder
registered in ``AssessmentsConfig.ready()`` tells ``audit_redact_person`` which programmes'
events may name a person.
"""

from collections.abc import Iterable

from django.db.models import Q

from accounts.audit import audit_redact_references
from accounts.models import User

from .models import Assessment, Invitation, Programme


def person_programme_ids(user: User) -> set[int]:
    """The programmes a person leads in, runs or supports."""
    return set(Assessment.objects.filter(leader=user).values_list("programme_id", flat=True)) | set(
        Programme.objects.filter(Q(admins=user) | Q(facilitators=user)).values_list("pk", flat=True)
    )


def audit_redact_raters(*, invitations: Iterable) -> int:
    """``audit_redact_person`` for raters, who have no account: by invitation."""
    invitations = list(invitations)
    if not invitations:
        return 0
    rows = Invitation.objects.filter(pk__in=[i.pk for i in invitations]).values_list(
        "pk", "name", "email", "assessment__programme_id"
    )
    ids, texts, programme_ids = set(), [], set()
    for pk, name, email, programme_id in rows:
        ids.add(pk)
        texts += [email, name]
        programme_ids.add(programme_id)
    return audit_redact_references(
        object_type=Invitation._meta.label_lower,
        key="invitation_id",
        ids=ids,
        texts=texts,
        programme_ids=programme_ids,
    )
