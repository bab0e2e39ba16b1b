"""Access to the audit, erasure, redaction, release and facilitator pages beyond the URL x
role matrix (tests/security/test_url_matrix.py, which covers every URL for anonymous
visitors, leaders, both programmes' admins, the leader's facilitator, raters and
superusers, and ids from another programme): another facilitator of the same programme,
unknown ids, and the facilitator's list."""

import pytest

from assessments.models import ThemeComment
from tests.factories import UserFactory

from .conftest import reports_ready

FACILITATOR_PAGES = [
    ("get", "/reports/facilitator/{a}/"),
    ("post", "/development/facilitator/{a}/debrief/"),
    ("get", "/development/facilitator/{a}/plan/"),
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


@pytest.mark.parametrize(("method", "url"), FACILITATOR_PAGES)
def test_facilitator_pages_are_404_for_another_facilitator_of_the_same_programme(
    client, ids, method, url, programme
):
    person = UserFactory()
    programme.facilitators.add(person)
    client.force_login(person)

    assert _request(client, method, url.format(**ids)).status_code == 404


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
    # The facilitator releases on the debrief page: a form, where a GET changes nothing.
    assert client.get(f"/development/facilitator/{ids['a']}/debrief/").status_code == 200
    assert Assessment.objects.get(pk=ids["a"]).released_at is None


def test_the_facilitator_list_shows_nobody_elses_leaders(client, other_admin, ids):
    client.force_login(other_admin)

    page = client.get("/reports/facilitator/")

    assert page.status_code == 200
    assert "Alex Leader" not in page.content.decode()
    assert "No leaders have been assigned to you yet." in page.content.decode()
