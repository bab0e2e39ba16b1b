"""Every URL of the project, by every kind of visitor, → the status each must get.

The table below is the access policy, written out. Each URL is filled with the ids of side X
(programme X run by admin X, leader A's assessment in it; see world.py) and requested by
each role. A URL the table does not list fails the test, so the table stays complete as
pages are added; then the same URLs are filled with side Y's ids, and with ids mixed from
both sides, to show that no id reaches into another programme.

GET is requested for pages; POST for actions that only accept POST. Wherever a role is
refused a page, a POST to it is refused the same way. Every effect is rolled back after
each request, so the cells do not depend on each other.
"""

import pytest

from .matrix import (
    ADMIN_LOGIN,
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    ROLES,
    admin_model_routes,
    admin_object_ids,
    fill,
    has_nested_ids,
    outcome,
    project_routes,
    request_as,
)
from .world import admin_rows_create, world_build

URLCONF = "config.urls"

L, A, N, F, R, X = LOGIN, ADMIN_LOGIN, NOT_FOUND, FORBIDDEN, REDIRECT, NOT_ALLOWED

# Actions that accept only POST: the table gives what a POST gets.
POST_ONLY = {
    "accounts:logout",
    "leader:send",
    "leader:submit",
    "leader:copy_earlier",
    "invitations:send",
    "invitations:remind",
    "invitations:rater_action",
    "invitations:programme_remind",
    "reports:admin_generate",
    "reports:programme_generate",
    "reports:admin_comment_redact",
    "admin:logout",
}

# fmt: off
EXPECTED = {
    #                                    anon lead_a lead_b adm_x adm_y fac_x rater super
    # Public pages.
    "home":                             (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    "framework:current":                (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    "framework:detail":                 (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    "accessibility":                    (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    "privacy":                          (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    "cookies":                          (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    # Signing in and out; a signed-in person asking for the sign-in page is sent home.
    "accounts:login":                   (OK,  R,     R,     R,    R,    R,    OK,   R),
    "accounts:logout":                  (R,   R,     R,     R,    R,    R,    R,    R),
    "accounts:password_reset":          (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    "accounts:password_reset_done":     (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    "accounts:password_reset_confirm":  (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    "accounts:password_reset_complete": (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    # Single sign-on: off unless configured (tests/accounts/oidc/ test it switched on).
    "accounts:oidc_start":              (N,   N,     N,     N,    N,    N,    N,    N),
    "accounts:oidc_callback":           (N,   N,     N,     N,    N,    N,    N,    N),
    # The quick start's demo mailbox: only with DEBUG on and email going nowhere (not here;
    # tests/accounts/test_demo_mailbox.py and tests/e2e/test_demo_mailbox.py).
    "accounts:demo_mailbox":            (N,   N,     N,     N,    N,    N,    N,    N),
    # A leader's own pages: leader A only; nobody else learns the assessment exists.
    "leader:overview":                  (L,   OK,    OK,    OK,   OK,   OK,   L,    OK),
    "leader:assessment":                (L,   OK,    N,     N,    N,    N,    L,    N),
    "leader:nominations":               (L,   OK,    N,     N,    N,    N,    L,    N),
    "leader:send":                      (L,   R,     N,     N,    N,    N,    L,    N),
    "leader:submit":                    (L,   R,     N,     N,    N,    N,    L,    N),
    "leader:copy_earlier":              (L,   R,     N,     N,    N,    N,    L,    N),
    "leader:rater_remove":              (L,   OK,    N,     N,    N,    N,    L,    N),
    "leader:rater_replace":             (L,   OK,    N,     N,    N,    N,    L,    N),
    "self_assessment:start":            (L,   R,     N,     N,    N,    N,    L,    N),
    "self_assessment:review":           (L,   OK,    N,     N,    N,    N,    L,    N),
    "self_assessment:done":             (L,   R,     N,     N,    N,    N,    L,    N),
    "self_assessment:page":             (L,   OK,    N,     N,    N,    N,    L,    N),
    "self_assessment:page_part":        (L,   OK,    N,     N,    N,    N,    L,    N),
    "reports:mine":                     (L,   OK,    OK,    OK,   OK,   OK,   L,    OK),
    "reports:theme":                    (L,   OK,    N,     N,    N,    N,    L,    N),
    "reports:download":                 (L,   OK,    N,     N,    N,    N,    L,    N),
    "reports:summary":                  (L,   OK,    N,     N,    N,    N,    L,    N),
    "reports:summary_download":         (L,   OK,    N,     N,    N,    N,    L,    N),
    "reports:download_all":             (L,   OK,    N,     N,    N,    N,    L,    N),
    # The rater's form: only the browser that pressed Start on the link; the link itself
    # opens for whoever holds it (it only shows the landing page until Start).
    "rater:link":                       (OK,  OK,    OK,    OK,   OK,   OK,   OK,   OK),
    "rater:form":                       (F,   F,     F,     F,    F,    F,    R,    F),
    "rater:page":                       (F,   F,     F,     F,    F,    F,    OK,   F),
    "rater:page_part":                  (F,   F,     F,     F,    F,    F,    OK,   F),
    "rater:review":                     (F,   F,     F,     F,    F,    F,    OK,   F),
    "rater:decline":                    (F,   F,     F,     F,    F,    F,    OK,   F),
    "rater:done":                       (F,   F,     F,     F,    F,    F,    R,    F),
    "rater:feedback/^":                 (N,   N,     N,     N,    N,    N,    N,    N),
    # Running programmes: programme X's admin (and superusers) only.
    "programmes:list":                  (L,   OK,    OK,    OK,   OK,   OK,   L,    OK),
    "programmes:new":                   (L,   F,     F,     OK,   OK,   F,    L,    OK),
    # A facilitator sees the programmes they support, with only the leaders assigned to them.
    "programmes:detail":                (L,   N,     N,     OK,   N,    OK,   L,    OK),
    "programmes:edit":                  (L,   N,     N,     OK,   N,    N,    L,    OK),
    "programmes:leader_add":            (L,   N,     N,     OK,   N,    N,    L,    OK),
    "programmes:close":                 (L,   N,     N,     OK,   N,    N,    L,    OK),
    "programmes:reopen":                (L,   N,     N,     OK,   N,    N,    L,    OK),
    "programmes:follow_up":             (L,   N,     N,     OK,   N,    N,    L,    OK),
    "invitations:raters":               (L,   N,     N,     OK,   N,    N,    L,    OK),
    "invitations:send":                 (L,   N,     N,     R,    N,    N,    L,    R),
    "invitations:remind":               (L,   N,     N,     R,    N,    N,    L,    R),
    "invitations:rater_action":         (L,   N,     N,     R,    N,    N,    L,    R),
    "invitations:programme_remind":     (L,   N,     N,     R,    N,    N,    L,    R),
    # Approving nominations: the programme's facilitators too.
    "invitations:approve":              (L,   N,     N,     OK,   N,    OK,   L,    OK),
    "imports:upload":                   (L,   N,     N,     OK,   N,    N,    L,    OK),
    "imports:check":                    (L,   N,     N,     R,    N,    N,    L,    R),
    "imports:template":                 (L,   N,     N,     OK,   N,    N,    L,    OK),
    "imports:progress":                 (L,   N,     N,     OK,   N,    N,    L,    OK),
    "imports:leader_remove":            (L,   N,     N,     OK,   N,    N,    L,    OK),
    "imports:leader_facilitator":       (L,   N,     N,     OK,   N,    N,    L,    OK),
    "imports:staff":                    (L,   N,     N,     OK,   N,    N,    L,    OK),
    "imports:staff_remove":             (L,   N,     N,     OK,   N,    N,    L,    OK),
    "exports:list":                     (L,   N,     N,     OK,   N,    N,    L,    OK),
    "exports:request":                  (L,   N,     N,     OK,   N,    N,    L,    OK),
    "exports:download":                 (L,   N,     N,     OK,   N,    N,    L,    OK),
    "audit:log":                        (L,   N,     N,     OK,   N,    N,    L,    OK),
    "erasure:leader":                   (L,   N,     N,     OK,   N,    N,    L,    OK),
    "erasure:rater":                    (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:admin_assessment":         (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:programme_impact":         (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:programme_impact_download": (L,  N,     N,     N,    N,    N,    L,    N),
    "reports:admin_generate":           (L,   N,     N,     R,    N,    N,    L,    R),
    "reports:admin_theme":              (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:admin_download":           (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:admin_summary":            (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:admin_summary_download":   (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:admin_download_all":       (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:programme_generate":       (L,   N,     N,     R,    N,    N,    L,    R),
    "reports:admin_comments":           (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:admin_comment_redact":     (L,   N,     N,     R,    N,    N,    L,    R),
    "reports:admin_release":            (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:admin_reopen":             (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:programme_release":        (L,   N,     N,     OK,   N,    N,    L,    OK),
    # A facilitator's pages: the leaders they facilitate, and nobody else's (superusers
    # included: they read reports through the programme pages above).
    "reports:facilitator_leaders":      (L,   OK,    OK,    OK,   OK,   OK,   L,    OK),
    "reports:facilitator_assessment":   (L,   N,     N,     N,    N,    OK,   L,    N),
    "reports:facilitator_theme":        (L,   N,     N,     N,    N,    OK,   L,    N),
    "reports:facilitator_download":     (L,   N,     N,     N,    N,    OK,   L,    N),
    # Debriefs and development plans (development/): the leader's pages, their facilitator's
    # pages, and nobody else's; programme admins and superusers get a 404 on every page that
    # shows a debrief's notes or a plan's goals. The admin's overview (whether, never what).
    # No plan in the world yet: its PDF sends the reader back to the plan page.
    "development:leader_debrief":       (L,   OK,    N,     N,    N,    N,    L,    N),
    "development:leader_plan":          (L,   OK,    N,     N,    N,    N,    L,    N),
    "development:leader_plan_pdf":      (L,   R,     N,     N,    N,    N,    L,    N),
    "development:facilitator_debrief":  (L,   N,     N,     N,    N,    OK,   L,    N),
    "development:facilitator_plan":     (L,   N,     N,     N,    N,    OK,   L,    N),
    "development:facilitator_plan_pdf": (L,   N,     N,     N,    N,    R,    L,    N),
    "development:programme_plans":      (L,   N,     N,     OK,   N,    N,    L,    OK),
    "reports:facilitator_summary":      (L,   N,     N,     N,    N,    OK,   L,    N),
    "reports:facilitator_summary_download": (L, N,   N,     N,    N,    OK,   L,    N),
    "reports:facilitator_download_all": (L,   N,     N,     N,    N,    OK,   L,    N),
    # The Django admin: superusers only; everyone else is sent to its sign-in page, which
    # says a signed-in person without access cannot use it.
    "admin:index":                      (A,   A,     A,     A,    A,    A,    A,    OK),
    "admin:login":                      (OK,  OK,    OK,    OK,   OK,   OK,   OK,   R),
    "admin:logout":                     (R,   R,     R,     R,    R,    R,    R,    R),
    "admin:password_change":            (A,   A,     A,     A,    A,    A,    A,    OK),
    "admin:password_change_done":       (A,   A,     A,     A,    A,    A,    A,    OK),
    "admin:jsi18n":                     (A,   A,     A,     A,    A,    A,    A,    OK),
    "admin:app_list":                   (A,   A,     A,     A,    A,    A,    A,    OK),
    "admin:autocomplete":               (A,   A,     A,     A,    A,    A,    A,    F),
    # Our models have no get_absolute_url, so "view on site" leads nowhere, even for staff.
    "admin:view_on_site":               (A,   A,     A,     A,    A,    A,    A,    N),
    "admin:admin/(?P<url>.*)$":         (A,   A,     A,     A,    A,    A,    A,    N),
    "admin:auth_user_password_change":  (A,   A,     A,     A,    A,    A,    A,    OK),
}
# fmt: on

# Each model's admin pages: everyone but superusers is sent to the admin's sign-in; what a
# superuser gets, by kind of page.
ADMIN_MODEL_PAGE = {
    "changelist": OK,
    "add": OK,
    "change": OK,
    "delete": OK,
    "history": OK,
    "redirect": R,  # <object_id>/ → <object_id>/change/
}
# Where a superuser gets something else, and why.
ADMIN_MODEL_EXCEPTIONS = {
    # Sign-in records are written by django-axes, never by hand.
    "admin:axes_accessattempt_add": F,
    "admin:axes_accesslog_add": F,
    "admin:axes_accessfailurelog_add": F,
    # Theme reports are made by the pipeline, never by hand.
    "admin:reports_themereport_add": F,
    # A framework version with ratings is frozen: it cannot be deleted (its pages still
    # show it, read-only).
    "admin:framework_framework_delete": F,
    "admin:framework_theme_delete": F,
    "admin:framework_quality_delete": F,
    "admin:framework_statement_delete": F,
    "admin:framework_scale_delete": F,
}

REFUSALS = {LOGIN, ADMIN_LOGIN, FORBIDDEN, NOT_FOUND}


def expected_table() -> dict[str, dict[str, str]]:
    table = {key: dict(zip(ROLES, row, strict=True)) for key, row in EXPECTED.items()}
    for key, kind in admin_model_routes().items():
        superuser = ADMIN_MODEL_EXCEPTIONS.get(key, ADMIN_MODEL_PAGE[kind])
        table[key] = dict.fromkeys(ROLES, ADMIN_LOGIN) | {"superuser": superuser}
    return table


@pytest.fixture
def world(framework):
    world = world_build(framework)
    admin_rows_create()
    world.admin_ids = admin_object_ids()
    return world


def _method(key: str) -> str:
    return "post" if key in POST_ONLY else "get"


def test_every_url_has_an_expectation_and_every_expectation_a_url():
    routes = {route.key for route in project_routes(URLCONF)}
    table = set(expected_table())
    assert routes - table == set(), "add these URLs to EXPECTED in test_url_matrix.py"
    assert table - routes == set(), "these expectations name URLs that no longer exist"
    assert routes >= POST_ONLY


# One test per role (the table's columns): xdist spreads them over its workers.
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says_and_a_refusal_does_not_depend_on_the_method(
    world, role
):
    table = expected_table()
    wrong = []
    for route in project_routes(URLCONF):
        url = fill(route, world.x, world)
        method = _method(route.key)
        want = table[route.key][role]
        response = request_as(world, role, method, url)
        got = outcome(response)
        if got != want:
            wrong.append(f"{route.key} {method.upper()} {url} as {role}: {got}, not {want}")
        _assert_headers(response, role, url)
        if want in REFUSALS and method == "get":
            # (A 405 is as good a refusal: the view takes no POST at all.)
            posted = outcome(request_as(world, role, "post", url))
            if posted not in (want, NOT_ALLOWED):
                wrong.append(f"{route.key} POST {url} as {role}: {posted}, not {want}")
    assert not wrong, "\n".join(wrong)


def test_actions_that_take_only_post_change_nothing_on_get(world):
    wrong = []
    for route in project_routes(URLCONF):
        if route.key not in POST_ONLY:
            continue
        url = fill(route, world.x, world)
        for role in ROLES:
            got = outcome(request_as(world, role, "get", url))
            # The admin sends anyone who may not use it to its index (and so to sign in).
            allowed = {NOT_ALLOWED, LOGIN, REDIRECT if route.key == "admin:logout" else None}
            if got not in allowed:
                wrong.append(f"{route.key} GET {url} as {role}: {got}")
    assert not wrong, "\n".join(wrong)


def test_ids_from_another_programme_reach_nothing(world):
    """Everyone on side X, given side Y's URLs: each URL naming an object is a 404."""
    wrong = []
    checked = 0
    for route in project_routes(URLCONF):
        ids = set(route.kwargs) - {"theme_slug", "part", "token", "slug", "version", "uidb64"}
        if not ids or route.namespace == "admin":
            continue
        checked += 1
        url = fill(route, world.y, world)
        for role in ("leader_a", "admin_x", "facilitator_x"):
            got = outcome(request_as(world, role, _method(route.key), url))
            if got != NOT_FOUND:
                wrong.append(f"{route.key} {url} as {role}: {got}")
    assert checked >= 40
    assert not wrong, "\n".join(wrong)


def test_an_object_of_programme_y_cannot_be_reached_through_programme_x(world):
    """Programme X's own URL with an assessment, rater, export or staff member of Y in it:
    a 404 even for those allowed the programme, superusers included."""
    wrong = []
    checked = 0
    for route in project_routes(URLCONF):
        if not has_nested_ids(route):
            continue
        checked += 1
        url = fill(route, world.x, world, nested=world.y)
        for role in ("leader_a", "admin_x", "facilitator_x", "superuser"):
            want = EXPECTED[route.key][ROLES.index(role)]
            want = want if want in REFUSALS else NOT_FOUND
            got = outcome(request_as(world, role, _method(route.key), url))
            if got != want:
                wrong.append(f"{route.key} {url} as {role}: {got}, not {want}")
    assert checked >= 10
    assert not wrong, "\n".join(wrong)


def _assert_headers(response, role, url):
    policy = response.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy, url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["X-Frame-Options"] == "DENY", url
    if role not in ("anonymous", "rater") or url.startswith("/feedback/"):
        assert "no-store" in response.get("Cache-Control", ""), (url, role)
