"""Granting and removing roles: the one place that writes role membership."""

from django.contrib.auth.models import Group

from .models import Role, User


def role_grant(*, user: User, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=role.label)
    user.groups.add(group)


def role_revoke(*, user: User, role: Role) -> None:
    user.groups.remove(*Group.objects.filter(name=role.label))
