"""The form's outline is kept per process for framework versions in use, and what that
buys: form pages with no framework queries, and radios rendered once per answer."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Draft
from assessments.services.rating_form import rating_outline
from framework.models import Framework, Quality, Scale, ScalePoint, Statement, Theme
from tests import factories

from .builders import page_post
from .test_rater_views import started_client


def test_a_framework_in_use_is_read_once_and_then_served_without_queries(
    assessment, framework, django_assert_num_queries
):
    first = rating_outline(framework=framework)
    with django_assert_num_queries(0):
        again = rating_outline(framework=framework)
    assert again is first
    assert again.statement_count == first.statement_count == 39


def test_a_framework_not_in_use_is_read_afresh_so_edits_show(db):
    framework = Framework.objects.create(name="Draft framework", slug="draft", version="1")
    scale = Scale.objects.create(framework=framework, question="How often?")
    ScalePoint.objects.create(scale=scale, order=1, value=1, label="Rarely")
    theme = Theme.objects.create(framework=framework, order=1, name="Theme", slug="theme")
    quality = Quality.objects.create(theme=theme, order=1, name="Quality")
    statement = Statement.objects.create(
        quality=quality, order=1, kind=Statement.Kind.values[0], text="Listens"
    )
    assert rating_outline(framework=framework).statements_of(theme)[0].text == "Listens"

    Statement.objects.filter(pk=statement.pk).update(text="Listens well")  # no signal sent

    outline = rating_outline(framework=framework)
    assert outline.statements_of(outline.theme("theme"))[0].text == "Listens well"


def test_saving_a_framework_row_forgets_the_outlines_kept(assessment, framework):
    kept = rating_outline(framework=framework)
    other = factories.ProgrammeFactory(framework=framework)  # noqa: F841 (still in use)
    Framework.objects.create(name="Next version", slug=framework.slug, version="2")
    assert rating_outline(framework=framework) is not kept


def test_saving_a_rater_page_takes_a_fixed_handful_of_queries(peer, outline, framework):
    invitation, token = peer
    browser = started_client(token)
    theme = outline.themes[0]
    url = reverse("rater:page", args=[theme.slug])
    answers = {str(s.pk): 3 for s in outline.statements_of(theme)}
    browser.post(url, page_post(outline, theme, answers=answers, action="save"))

    with CaptureQueriesContext(connection) as saved:
        response = browser.post(url, page_post(outline, theme, answers=answers, action="save"))
    with CaptureQueriesContext(connection) as shown:
        page = browser.get(url)

    assert response.status_code == 302
    # Session (database sessions here), invitation, then in one transaction: the invitation
    # locked with its assessment and draft, and the update (SAVEPOINT and RELEASE here,
    # BEGIN and COMMIT in a request).
    assert len(saved.captured_queries) <= 6, [q["sql"][:80] for q in saved.captured_queries]
    assert len(shown.captured_queries) <= 3, [q["sql"][:80] for q in shown.captured_queries]
    assert Draft.objects.get(invitation=invitation).answers == answers
    html = page.content.decode()
    for statement in outline.pages[0][2].statements.all():  # the theme's first quality
        assert f'name="s-{statement.pk}" type="radio" value="3" checked>' in html


def test_odd_posted_values_tick_nothing_and_keep_the_kept_markup_bounded(peer, outline):
    _, token = peer
    browser = started_client(token)
    theme = outline.themes[0]
    url = reverse("rater:page", args=[theme.slug])
    statement = outline.statements_of(theme)[0]
    for attempt in range(30):
        response = browser.post(url, {"action": "save", f"s-{statement.pk}": f"odd-{attempt}"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Choose one of the answers given for this statement" in html
        assert f'name="s-{statement.pk}" type="radio" value="odd' not in html
        assert " checked>" not in html.split(f'name="s-{statement.pk}"', 1)[1].split("</div>")[0]
    radios = [key for key in outline.fragments if key[1] == f"s-{statement.pk}"]
    assert len(radios) <= len(outline.points) + 1  # one per answer, and none ticked
