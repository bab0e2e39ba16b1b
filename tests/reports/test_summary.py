"""The summary report (issue 14, items 1 and 6): every theme and quality on two pages, frozen
with the release, "download all", and the cohort benchmark as a quartile band only."""

import io
import random
import re
from bisect import bisect_left, bisect_right
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import RaterGroup
from framework.models import Quality, Statement
from reports.models import ReleasedSummary, ReportVersion
from reports.report_context import theme_report_content
from reports.services import reports_generate
from reports.summary import (
    BANDS,
    benchmark_rows,
    cohort_benchmark,
    summary_body,
    summary_context,
    summary_figures,
    summary_pdf,
)
from reports.versions import versions_release
from tests.factories import AssessmentFactory, ProgrammeFactory, ResponseFactory, UserFactory


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def release(django_capture_on_commit_callbacks):
    """Generate the theme reports (tasks in process) and release them: version 1, filled."""

    def run(assessment):
        with django_capture_on_commit_callbacks(execute=True):
            reports_generate(assessment=assessment)
        return versions_release(assessment=assessment)

    return run


# What it shows -----------------------------------------------------------------------------


def test_every_quality_shows_the_figures_of_its_theme_report(rated_assessment, framework):
    context = summary_context(assessment=rated_assessment)

    rows = {row.number: row for theme in context["themes"] for row in theme.qualities}
    assert len(rows) == Quality.objects.filter(theme__framework=framework).count() == 13
    assert len(context["chart"].rows) == 13
    for theme in framework.themes.all():
        theme_context = theme_report_content(assessment=rated_assessment, theme=theme).context
        for quality in theme_context["qualities"]:
            mine, theirs = rows[quality.number], quality.summary
            assert mine.self_score == theirs.self_score
            assert mine.gap == theirs.gap
            assert mine.all_raters.mean == theirs.all_raters.mean
            assert (mine.all_raters.n, mine.all_raters.respondents) == (
                theirs.all_raters.n,
                theirs.all_raters.respondents,
            )
    # The chart is self against All raters only; the groups are in the theme reports.
    assert all(not row.markers for row in context["chart"].rows)
    figures = summary_figures(context)
    assert len(figures) == 13
    assert set(figures.values()) == {
        str(r.all_raters.mean.quantize(Decimal("0.1"))) for r in rows.values()
    }


def test_strengths_and_development_areas_are_few_and_distinct(rated_assessment):
    lists = {item.key: item for item in summary_context(assessment=rated_assessment)["lists"]}

    assert set(lists) == {"highest", "hidden_strengths", "lowest", "blind_spots"}
    listed = [i.row.number for item in lists.values() for i in item.items]
    assert len(listed) == len(set(listed))  # a quality is in one list at most
    assert all(len(item.items) <= 3 for item in lists.values())
    assert len(listed) < 13


def test_with_too_few_raters_no_anonymous_figure_appears(framework, leader):
    assessment = AssessmentFactory(programme=ProgrammeFactory(framework=framework), leader=leader)
    statements = list(Statement.objects.filter(quality__theme__framework=framework))
    ResponseFactory(
        assessment=assessment, rater_group=RaterGroup.SELF, values=dict.fromkeys(statements, 4)
    )
    ResponseFactory(
        assessment=assessment, rater_group=RaterGroup.PEER, values=dict.fromkeys(statements, 2)
    )

    context = summary_context(assessment=assessment)
    html = summary_body(context)

    assert all(r.all_raters is None for t in context["themes"] for r in t.qualities)
    assert summary_figures(context) == {}
    assert "2.0" not in html  # the lone peer's rating is nowhere
    assert all(not item.items for item in context["lists"])


@pytest.mark.real_pdf
def test_the_summary_pdf_fits_two_pages_and_names_every_quality(rated_assessment, framework):
    reader = PdfReader(io.BytesIO(summary_pdf(summary_context(assessment=rated_assessment))))

    assert len(reader.pages) <= 2
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    assert "Summary" in text and "Alex Leader" in text
    for quality in Quality.objects.filter(theme__framework=framework):
        assert _flat(quality.name) in text
    assert "Page 1 of" in text


# Frozen with the release; the leader's pages -----------------------------------------------


@pytest.mark.usefixtures("fake_pdf")
def test_the_leader_reads_the_summary_only_as_released(rated_assessment, release, leader_client):
    url = reverse("reports:summary", kwargs={"assessment_pk": rated_assessment.pk})
    assert leader_client.get(url).status_code == 404  # nothing released yet

    version = release(rated_assessment)
    summary = ReleasedSummary.objects.get(version=version)
    assert "Authenticity" in summary.html and summary.figures
    page = leader_client.get(url)
    assert page.status_code == 200
    assert summary.html in page.content.decode()

    # Later ratings change the live figures, not what was released.
    statements = list(
        Statement.objects.filter(quality__theme__framework=rated_assessment.programme.framework)
    )
    for _ in range(3):
        ResponseFactory(
            assessment=rated_assessment,
            rater_group=RaterGroup.PEER,
            values=dict.fromkeys(statements, 1),
        )
    assert summary_body(summary_context(assessment=rated_assessment)) != summary.html
    assert summary.html in leader_client.get(url).content.decode()


@pytest.mark.usefixtures("fake_pdf")
def test_my_reports_links_the_summary_first(rated_assessment, release, leader_client):
    release(rated_assessment)
    html = leader_client.get(reverse("reports:mine")).content.decode()

    summary = html.index(reverse("reports:summary", kwargs={"assessment_pk": rated_assessment.pk}))
    first_theme = html.index(
        reverse(
            "reports:theme", kwargs={"assessment_pk": rated_assessment.pk, "theme_slug": "being"}
        )
    )
    assert summary < first_theme


@pytest.mark.usefixtures("fake_pdf")
def test_download_all_joins_the_released_summary_and_theme_pdfs(
    rated_assessment, release, leader_client
):
    version = release(rated_assessment)
    response = leader_client.get(
        reverse("reports:download_all", kwargs={"assessment_pk": rated_assessment.pk})
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    bundle = PdfReader(io.BytesIO(response.content))
    parts = [version.summary.file, *(t.file for t in version.themes.order_by("theme__order"))]
    sizes = [len(PdfReader(p.open("rb")).pages) for p in parts]
    assert len(bundle.pages) == sum(sizes)
    titles = [i.title for i in bundle.outline if not isinstance(i, list)]
    assert titles == [
        "Summary",
        "Being",
        "Relating and communicating",
        "Leading and visioning",
        "Delivering",
    ]
    starts = [
        bundle.get_destination_page_number(i) for i in bundle.outline if not isinstance(i, list)
    ]
    assert starts == [sum(sizes[:i]) for i in range(len(sizes))]


@pytest.mark.usefixtures("fake_pdf")
def test_staff_read_the_summary_where_they_read_the_theme_reports(
    rated_assessment, programme_admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reports_generate(assessment=rated_assessment)
    kwargs = {"assessment_pk": rated_assessment.pk}

    page = programme_admin_client.get(reverse("reports:admin_summary", kwargs=kwargs))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Authenticity" in html
    assert reverse("reports:admin_theme", kwargs={**kwargs, "theme_slug": "being"}) in html
    listing = programme_admin_client.get(reverse("reports:admin_assessment", kwargs=kwargs))
    assert reverse("reports:admin_summary", kwargs=kwargs) in listing.content.decode()

    bundle = programme_admin_client.get(reverse("reports:admin_download_all", kwargs=kwargs))
    reader = PdfReader(io.BytesIO(bundle.content))
    assert len(reader.pages) == 5  # the stand-in PDFs have one page each
    assert [i.title for i in reader.outline if not isinstance(i, list)] == [
        "Summary",
        "Being",
        "Relating and communicating",
        "Leading and visioning",
        "Delivering",
    ]


# The cohort benchmark --------------------------------------------------------------------


def _released_cohort(framework, scores: list[str]):
    """A programme whose leaders' summaries were released with ``scores`` (one per leader) as
    the All raters figure of the first quality."""
    programme = ProgrammeFactory(framework=framework)
    quality = Quality.objects.filter(theme__framework=framework).order_by("theme__order", "order")[
        0
    ]
    assessments = []
    for i, score in enumerate(scores):
        assessment = AssessmentFactory(programme=programme, leader=UserFactory())
        version = ReportVersion.objects.create(
            assessment=assessment, number=1, released_at=timezone.now(), filled_at=timezone.now()
        )
        summary = ReleasedSummary(
            version=version, html="<p>x</p>", figures={str(quality.pk): score}
        )
        summary.file.save(f"s{i}.pdf", ContentFile(b"%PDF"), save=False)
        summary.save()
        assessments.append(assessment)
    return assessments, quality


def _independent_band(score: Decimal, values: list[Decimal]) -> str:
    """Percentile rank with ties split in half, from sorted positions; then the quarter."""
    ordered = sorted(values)
    low, high = bisect_left(ordered, score), bisect_right(ordered, score)
    rank = (low + high) / 2 / len(ordered)  # the mid-point of the score's run of ties
    for upper, name in ((0.25, BANDS[0]), (0.5, BANDS[1]), (0.75, BANDS[2])):
        if rank < upper:
            return name
    return BANDS[3]


def test_with_fewer_than_10_released_leaders_there_is_no_benchmark(framework):
    assessments, _ = _released_cohort(framework, [f"{3 + i / 10:.1f}" for i in range(9)])

    assert all(cohort_benchmark(assessment=a) == {} for a in assessments)
    assert benchmark_rows(assessment=assessments[0]) == []


def test_with_10_or_more_the_band_matches_an_independent_computation(framework):
    rng = random.Random(14)
    for size in (10, 13, 24):
        scores = [f"{rng.choice(range(25, 50)) / 10:.1f}" for _ in range(size)]
        assessments, quality = _released_cohort(framework, scores)
        values = [Decimal(s) for s in scores]
        for assessment, score in zip(assessments, values, strict=True):
            assert cohort_benchmark(assessment=assessment) == {
                str(quality.pk): _independent_band(score, values)
            }


def test_the_top_and_bottom_leaders_and_what_the_page_shows(framework, client):
    scores = [f"{3 + i / 10:.1f}" for i in range(12)]  # 3.0 .. 4.1, all different
    assessments, quality = _released_cohort(framework, scores)

    assert cohort_benchmark(assessment=assessments[-1]) == {str(quality.pk): "in the top quarter"}
    assert cohort_benchmark(assessment=assessments[0]) == {str(quality.pk): "in the bottom quarter"}

    top = assessments[-1]
    client.force_login(top.leader)
    html = client.get(reverse("reports:summary", kwargs={"assessment_pk": top.pk})).content.decode()
    section = re.search(r'<section class="summary-benchmark">(.*?)</section>', html, re.S).group(1)
    assert "in the top quarter" in section and quality.name in section
    # No leader's score is on the page: not theirs in the band list, nor anyone else's.
    assert not any(score in section for score in scores)
