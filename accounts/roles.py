"""Granting and removing roles: the one place that writes role membership."""

from django.contrib.auth.models import Group
from django.urls import reverse

from .models import Role, User


def role_grant(*, user: User, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=role.label)
    user.groups.add(group)


def role_revoke(*, user: User, role: Role) -> None:
    user.groups.remove(*Group.objects.filter(name=role.label))


def start_page_url(user: User) -> str:
    """Where a person lands after signing in: the page of the work they came to do.

    Someone who runs programmes lands on them; a facilitator on the leaders assigned to
    them; anyone else (a leader) on their 360. A person with several roles lands on the
    first of these that applies; every page links to the others."""
    if user.is_superuser or user.has_role(Role.PROGRAMME_ADMIN):
        return reverse("programmes:list")
    if user.has_role(Role.FACILITATOR):
        return reverse("reports:facilitator_leaders")
    return reverse("leader:overview")
