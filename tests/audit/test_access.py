"""Every new page, for everyone who may ask: only the programme's admins reach the admin
pages, only the leader's facilitator the facilitator pages; everyone else gets a 404, which
does not confirm that the object exists (anonymous visitors are sent to sign in)."""

import pytest

from assessments.models import ThemeComment
from tests.factories import AssessmentFactory, InvitationFactory, ProgrammeFactory, UserFactory

from .conftest import reports_ready

ADMIN_PAGES = [
    ("get", "/programmes/{p}/audit/"),
    ("get", "/programmes/{p}/leaders/{a}/erase/"),
    ("post", "/programmes/{p}/leaders/{a}/erase/"),
    ("get", "/programmes/{p}/leaders/{a}/raters/{i}/erase/"),
    ("post", "/programmes/{p}/leaders/{a}/raters/{i}/erase/"),
    ("get", "/reports/staff/assessments/{a}/comments/"),
    ("post", "/reports/staff/assessments/{a}/comments/{c}/redact/"),
    ("post", "/reports/staff/assessments/{a}/release/"),
    ("get", "/reports/staff/assessments/{a}/reopen/"),
    ("post", "/reports/staff/assessments/{a}/reopen/"),
    ("post", "/reports/staff/programmes/{p}/release/"),
]
FACILITATOR_PAGES = [
    ("get", "/reports/facilitator/{a}/"),
    ("post", "/reports/facilitator/{a}/release/"),
    ("get", "/reports/facilitator/{a}/being/"),
    ("get", "/reports/facilitator/{a}/being/download/"),
]


@pytest.fixture
def ids(assessment, rater):
    reports_ready(assessment)
    comment = ThemeComment.objects.filter(response__assessment=assessment).first()
    return {"p": assessment.programme_id, "a": assessment.pk, "i": rater.pk, "c": comment.pk}


def _request(client, method, url):
    return getattr(client, method)(
        url, {"confirm": "on", "reason": "x"} if method == "post" else None
    )


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES + FACILITATOR_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, ids, method, url):
    response = _request(client, method, url.format(**ids))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
@pytest.mark.parametrize("who", ["other_admin", "leader", "facilitator"])
def test_admin_pages_are_404_for_anyone_but_the_programmes_admins(
    client, ids, method, url, who, request
):
    client.force_login(request.getfixturevalue(who))

    assert _request(client, method, url.format(**ids)).status_code == 404


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
def test_admin_pages_answer_the_programmes_admin(client, programme_admin, ids, method, url):
    client.force_login(programme_admin)

    assert _request(client, method, url.format(**ids)).status_code in (200, 302)


@pytest.mark.parametrize(("method", "url"), FACILITATOR_PAGES)
@pytest.mark.parametrize("who", ["other_admin", "leader", "programme_admin", "other_facilitator"])
def test_facilitator_pages_are_404_for_anyone_but_the_leaders_facilitator(
    client, ids, method, url, who, request, programme
):
    if who == "other_facilitator":
        person = UserFactory()
        programme.facilitators.add(person)
    else:
        person = request.getfixturevalue(who)
    client.force_login(person)

    assert _request(client, method, url.format(**ids)).status_code == 404


@pytest.mark.parametrize(("method", "url"), FACILITATOR_PAGES)
def test_facilitator_pages_answer_the_leaders_facilitator(client, facilitator, ids, method, url):
    client.force_login(facilitator)

    assert _request(client, method, url.format(**ids)).status_code in (200, 302)


@pytest.mark.parametrize(
    "url",
    [
        "/programmes/{p}/leaders/{other_a}/erase/",
        "/programmes/{p}/leaders/{a}/raters/{other_i}/erase/",
        "/programmes/{p}/leaders/{other_a}/raters/{other_i}/erase/",
        "/programmes/{other_p}/audit/",
    ],
)
def test_ids_from_another_programme_are_404_even_inside_ones_own(
    client, framework, programme_admin, ids, url
):
    elsewhere = AssessmentFactory(programme=ProgrammeFactory(framework=framework))
    invitation = InvitationFactory(assessment=elsewhere)
    client.force_login(programme_admin)
    filled = url.format(
        **ids, other_p=elsewhere.programme_id, other_a=elsewhere.pk, other_i=invitation.pk
    )

    assert client.get(filled).status_code == 404
    assert client.post(filled, {"confirm": "on"}).status_code == 404


def test_unknown_ids_are_404(client, programme_admin, ids):
    client.force_login(programme_admin)

    for url in [
        "/programmes/999999/audit/",
        f"/programmes/{ids['p']}/leaders/999999/erase/",
        f"/programmes/{ids['p']}/leaders/{ids['a']}/raters/999999/erase/",
        "/reports/staff/assessments/999999/reopen/",
        "/reports/facilitator/999999/",
    ]:
        assert client.get(url).status_code == 404, url


def test_releases_ask_first_and_a_get_changes_nothing(client, programme_admin, facilitator, ids):
    """Releasing is a "check before you continue" page (GET) and a POST (issue 12, 3)."""
    from assessments.models import Assessment

    client.force_login(programme_admin)
    for url in (
        f"/reports/staff/assessments/{ids['a']}/release/",
        f"/reports/staff/programmes/{ids['p']}/release/",
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert "Release" in page.content.decode()
    client.force_login(facilitator)
    assert client.get(f"/reports/facilitator/{ids['a']}/release/").status_code == 200
    assert Assessment.objects.get(pk=ids["a"]).released_at is None


def test_the_facilitator_list_shows_nobody_elses_leaders(client, other_admin, ids):
    client.force_login(other_admin)

    page = client.get("/reports/facilitator/")

    assert page.status_code == 200
    assert "Alex Leader" not in page.content.decode()
    assert "No leaders have been assigned to you yet." in page.content.decode()
