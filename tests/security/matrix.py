"""Machinery for the URL-by-role matrix: every URL pattern of the project, filled with ids,
and what one request to it came to (test_url_matrix.py holds the expectations)."""

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Assessment

from .world import Side, World, world_client

# What a response came to, as the table writes it.
OK = "200"
REDIRECT = "302 elsewhere"
LOGIN = "302 to sign in"
ADMIN_LOGIN = "302 to admin sign in"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"

ROLES = (
    "anonymous",
    "leader_a",
    "leader_b",
    "admin_x",
    "admin_y",
    "facilitator_x",
    "rater",
    "superuser",
)


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or "namespace:route" for a pattern without a name
    namespace: str
    name: str | None
    route: str
    kwargs: tuple[str, ...]


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            key = ":".join(n for n in (namespace, pattern.name or route) if n)
            kwargs = tuple(pattern.pattern.regex.groupindex)
            yield Route(key, namespace, pattern.name, route, kwargs)


def project_routes(urlconf) -> list[Route]:
    return list(_walk(get_resolver(urlconf).url_patterns))


def admin_model_routes() -> dict[str, str]:
    """Route key → kind ("changelist", "add", ...) for every model page of the admin."""
    kinds = {}
    for model in admin.site._registry:
        meta = model._meta
        prefix = f"admin:{meta.app_label}_{meta.model_name}_"
        for kind in ("changelist", "add", "history", "delete", "change"):
            kinds[prefix + kind] = kind
        kinds[f"admin:admin/{meta.app_label}/{meta.model_name}/<path:object_id>/"] = "redirect"
    return kinds


def admin_object_ids() -> dict[str, str]:
    """Route prefix "admin/<app>/<model>/" → the pk of an existing row of that model."""
    ids = {}
    for model in admin.site._registry:
        meta = model._meta
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"the matrix needs one {meta.label} row for its admin pages"
        ids[f"{meta.app_label}_{meta.model_name}"] = str(row.pk)
    return ids


# Ids that name something inside the programme (or assessment) the URL is under.
NESTED_IDS = {"invitation_pk", "export_pk", "user_pk", "comment_pk", "import_pk"}


def fill(route: Route, side: Side, world: World, *, nested: Side | None = None) -> str:
    """The URL of ``route`` with ``side``'s ids. With ``nested``, the ids of things inside
    the URL's programme or assessment (an assessment under a programme, an invitation, an
    export, a staff member) come from that other side instead."""
    inner = nested or side
    ns = route.namespace
    values = {
        "theme_slug": world.theme.slug,
        "part": 2,  # a rating form page: the theme's second quality
        "token": "bad-token" if ns == "accounts" else side.token,
        "slug": world.theme.framework.slug,
        "version": world.theme.framework.version,
        "uidb64": "MQ",
        "action": "resend",
        "kind": "csv",
        "role": "programme_admin",
        "user_pk": inner.programme.admins.get().pk,
        "invitation_pk": (inner.nominee if ns == "leader" else inner.invitation).pk,
        "export_pk": inner.export.pk,
        "import_pk": inner.leader_import.pk,
        "comment_pk": inner.comment.pk,
        "app_label": "accounts",
        "content_type_id": str(ContentType.objects.get_for_model(Assessment).pk),
        "pk": (side.assessment if ns == "leader" else side.programme).pk,
    }
    if ns in ("reports", "development"):
        values["assessment_pk"] = side.released_assessment.pk
        values["programme_pk"] = side.released_assessment.programme_id
    elif ns == "self_assessment":
        values["assessment_pk"] = side.assessment.pk
    else:
        values["assessment_pk"] = inner.assessment.pk
        values["programme_pk"] = side.programme.pk
    if ns == "admin":
        values["object_id"] = _admin_object_id(route, world)
        values["id"] = world.admin_ids["accounts_user"]  # the user admin's password page
    if route.name is None:
        return _unnamed(route, values)
    return reverse(route.key, kwargs={k: values[k] for k in route.kwargs})


def has_nested_ids(route: Route) -> bool:
    kwargs = set(route.kwargs)
    under_programme = route.namespace in ("invitations", "imports") and "assessment_pk" in kwargs
    return bool(kwargs & NESTED_IDS) or under_programme


def _admin_object_id(route: Route, world: World) -> str:
    if "object_id" not in route.kwargs:
        return ""
    if route.name == "view_on_site":
        return str(world.x.assessment.pk)
    if route.name:
        return world.admin_ids[route.name.rsplit("_", 1)[0]]
    app, model = route.route.split("/")[1:3]
    return world.admin_ids[f"{app}_{model}"]


def _unnamed(route: Route, values: dict) -> str:
    if route.key == "rater:feedback/^":
        return "/feedback/a/b/"
    if route.key == "admin:admin/(?P<url>.*)$":
        return "/admin/no/such/page/"
    if route.route.startswith("admin/") and route.route.endswith("<path:object_id>/"):
        return "/" + route.route.replace("<path:object_id>", values["object_id"])
    raise AssertionError(f"no way to fill {route.key}: add it to matrix._unnamed")


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302):
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return LOGIN
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        return REDIRECT
    return {
        200: OK,
        403: FORBIDDEN,
        404: NOT_FOUND,
        405: NOT_ALLOWED,
    }.get(status, str(status))


def request_as(world: World, role: str, method: str, url: str):
    """One request by one role, its effects rolled back so every cell starts the same."""
    with transaction.atomic():
        client = world_client(world, role)
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response
