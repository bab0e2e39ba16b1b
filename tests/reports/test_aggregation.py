"""The aggregation of ratings into report figures, on the real framework."""

import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import Assessment, RaterGroup, ThemeComment
from framework.models import Framework, Theme
from reports.aggregation import (
    Figures,
    GroupFigures,
    Scores,
    assessment_report,
    format_gap,
    format_score,
    one_decimal,
    theme_report,
)
from tests.factories import AssessmentFactory, ProgrammeFactory, ResponseFactory

PEER, DIRECT_REPORT, OTHER = RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.OTHER
LINE_MANAGER, SELF = RaterGroup.LINE_MANAGER, RaterGroup.SELF


@pytest.fixture
def theme(framework):
    return framework.themes.order_by("order").first()


@pytest.fixture
def statements(theme):
    return [s for q in theme.qualities.order_by("order") for s in q.statements.order_by("order")]


def respond(assessment, group, values, count=1):
    return [
        ResponseFactory(assessment=assessment, rater_group=group, values=values)
        for _ in range(count)
    ]


def fresh(assessment):
    return Assessment.objects.get(pk=assessment.pk)


def test_hand_computed_means_spread_and_gap(assessment, theme, statements):
    s1 = statements[0]
    respond(assessment, SELF, {s1: 5})
    respond(assessment, LINE_MANAGER, {s1: 3})
    for value in (4, 4, 2):
        respond(assessment, PEER, {s1: value})

    scores = theme_report(assessment=assessment, theme=theme).statements[0].scores

    everyone = scores.all_raters  # line manager 3, peers 4, 4, 2; never self
    assert (everyone.n, everyone.respondents) == (4, 4)
    assert everyone.mean == Decimal("3.25")
    # Sample sd: (4 * 45 - 13^2) / (4 * 3) = 11/12.
    assert everyone.sd == (Decimal(11) / Decimal(12)).sqrt()
    assert scores.self_score == 5
    assert scores.gap == Decimal("1.7")  # 5.0 - 3.3 as shown, not 5 - 3.25
    assert everyone.coverage == "4 of 4 raters could observe this"
    peers = scores.group(PEER)
    assert peers.mean == Decimal(10) / Decimal(3)
    assert peers.sd == (Decimal(4) / Decimal(3)).sqrt()
    assert scores.line_manager.mean == 3
    assert scores.line_manager.sd is None  # one rating has no spread
    assert (format_score(everyone.mean), format_score(everyone.sd)) == ("3.3", "1.0")
    assert format_gap(scores.gap) == "+1.7"


def test_every_rating_weighs_the_same_in_a_quality_and_a_theme(assessment, theme, statements):
    s1, s2, s3 = statements[:3]  # the first quality
    respond(assessment, PEER, {s1: 5, s2: 1, s3: 3}, count=3)
    respond(assessment, PEER, {s1: 5, s2: None, s3: 3}, count=3)

    result = theme_report(assessment=assessment, theme=theme)
    quality = result.qualities[0]

    means = [s.scores.all_raters.mean for s in quality.statements]
    assert means == [5, 1, 3]  # their mean would be 3
    # 6 fives, 3 ones and 6 threes: 51 / 15.
    assert quality.scores.all_raters.mean == Decimal("3.4")
    assert result.scores.all_raters.mean == Decimal("3.4")
    assert quality.scores.all_raters.figures == Figures(
        respondents=6, n=6, ratings=15, total=51, total_of_squares=6 * 25 + 3 + 6 * 9
    )


def test_not_observed_is_excluded_from_means_and_counted(assessment, theme, statements):
    s1 = statements[0]
    for value in (4, 4, None, None, 5):
        respond(assessment, PEER, {s1: value})

    everyone = theme_report(assessment=assessment, theme=theme).statements[0].scores.all_raters

    assert everyone.mean == Decimal(13) / Decimal(3)
    assert (everyone.n, everyone.respondents, everyone.not_observed) == (3, 5, 2)
    assert everyone.coverage == "3 of 5 raters could observe this"


def test_a_self_response_saved_with_not_observed_still_aggregates(assessment, theme, statements):
    """The self-assessment no longer offers "Not observed"; responses sealed before that
    may hold it, and their reports still compute (that statement has no self score)."""
    s1, s2 = statements[0], statements[1]
    respond(assessment, SELF, {s1: None, s2: 4})
    respond(assessment, PEER, {s1: 3, s2: 5}, count=3)

    report = theme_report(assessment=assessment, theme=theme)

    assert report.statements[0].scores.self_score is None
    assert report.statements[0].scores.all_raters.mean == 3
    assert report.statements[1].scores.self_score == 4
    assert report.scores.self_score == 4


def test_self_is_never_among_all_raters(assessment, theme, statements):
    s1 = statements[0]
    respond(assessment, SELF, {s1: 1})
    respond(assessment, PEER, {s1: 5}, count=3)

    scores = theme_report(assessment=assessment, theme=theme).scores

    assert scores.all_raters.mean == 5
    assert scores.all_raters.respondents == 3
    assert scores.self_score == 1
    assert scores.gap == -4
    assert [g.key for g in scores.groups] == [PEER]


def test_groups_under_k_are_pooled_into_other_raters(assessment, theme, statements):
    s1 = statements[0]
    respond(assessment, PEER, {s1: 4}, count=3)
    respond(assessment, DIRECT_REPORT, {s1: 2}, count=2)
    respond(assessment, OTHER, {s1: 5})

    result = theme_report(assessment=assessment, theme=theme)

    scores = result.statements[0].scores
    assert [g.label for g in scores.groups] == ["Peers", "Other raters"]
    assert scores.group("other_raters").mean == 3  # 2, 2 and 5
    assert scores.group("other_raters").n == 3
    assert "Direct reports: fewer than 3 responses; included in Other raters" in result.notes


def test_a_pool_under_k_appears_only_inside_all_raters(assessment, theme, statements):
    s1 = statements[0]
    respond(assessment, LINE_MANAGER, {s1: 3})
    respond(assessment, PEER, {s1: 4}, count=3)
    respond(assessment, DIRECT_REPORT, {s1: 1})

    result = theme_report(assessment=assessment, theme=theme)

    scores = result.statements[0].scores
    # Peers shown would give All raters - line manager - peers = the direct report.
    assert scores.groups == ()
    assert scores.all_raters.respondents == 5
    assert scores.all_raters.mean == Decimal(16) / Decimal(5)
    assert scores.line_manager.mean == 3
    assert "Direct reports: fewer than 3 responses; included in All raters" in result.notes
    assert any(n.startswith("Peers: included in All raters only") for n in result.notes)


def test_fewer_than_k_raters_besides_the_line_manager_show_only_the_line_manager(
    assessment, theme, statements
):
    s1 = statements[0]
    respond(assessment, LINE_MANAGER, {s1: 3})
    respond(assessment, PEER, {s1: 4}, count=2)

    scores = theme_report(assessment=assessment, theme=theme).statements[0].scores

    assert not scores.all_raters.shown
    assert scores.all_raters.mean is None
    assert scores.gap is None
    assert scores.all_raters.reason == (
        "All raters: not shown because fewer than 3 raters other than the line manager responded"
    )
    assert scores.line_manager.mean == 3  # shown as such even with n = 1


def test_a_group_few_could_observe_is_hidden_on_that_statement_and_not_derivable(
    assessment, theme, statements
):
    s1, s2, s3 = statements[:3]
    respond(assessment, PEER, {s1: 4, s2: 4, s3: 4}, count=4)
    respond(assessment, DIRECT_REPORT, {s1: 2, s2: 2, s3: 2}, count=2)
    respond(assessment, DIRECT_REPORT, {s1: None, s2: 2, s3: 2})

    result = theme_report(assessment=assessment, theme=theme)
    first, second, third = (s.scores for s in result.statements[:3])

    assert first.group(DIRECT_REPORT).reason == (
        "Direct reports: not shown for this statement because fewer than 3 could observe it"
    )
    # All raters minus peers would be the two direct reports: peers go too.
    assert not first.group(PEER).shown
    assert first.group(PEER).reason.startswith("Peers: not shown for this statement, so that")
    assert (first.all_raters.n, first.all_raters.respondents) == (6, 7)
    # Their quality figures minus the third statement would give the first: hide the second.
    assert not second.group(PEER).shown and not second.group(DIRECT_REPORT).shown
    assert third.group(PEER).shown and third.group(DIRECT_REPORT).mean == 2
    quality = result.qualities[0].scores
    assert quality.group(DIRECT_REPORT).mean == 2 and quality.group(DIRECT_REPORT).n == 3
    assert result.scores.group(PEER).mean == 4
    assert first.reasons == (first.group(PEER).reason, first.group(DIRECT_REPORT).reason)


def test_comments_are_pooled_in_an_order_unrelated_to_submission(assessment, theme):
    texts = [f"Comment number {i}: thoughtful and fair." for i in range(10)]
    for text in texts:
        (response,) = respond(assessment, PEER, {})
        ThemeComment.objects.create(response=response, theme=theme, text=text)
    (own,) = respond(assessment, SELF, {})
    ThemeComment.objects.create(response=own, theme=theme, text="My own view.")

    comments = theme_report(assessment=assessment, theme=theme).comments
    again = theme_report(assessment=fresh(assessment), theme=theme).comments

    assert comments.shown
    assert sorted(comments.comments) == sorted(texts)
    assert comments.comments != tuple(texts)  # not the submission order
    assert comments.comments == again.comments  # but the same every time
    digest = {
        t: hashlib.sha256(f"{assessment.pk}:{theme.pk}:{t}".encode()).hexdigest() for t in texts
    }
    assert list(comments.comments) == sorted(texts, key=digest.get)
    assert comments.own == ("My own view.",)


def test_no_comments_under_k_anonymous_raters_and_never_redacted_ones(assessment, theme):
    """Issue 11: the line manager counted toward the comments threshold, so a line manager
    and 2 peers at k = 3 showed the peers' comments while every figure was withheld. Now
    only anonymous raters count, and the line manager's comments are shown apart."""
    (manager,) = respond(assessment, LINE_MANAGER, {})
    (peer,) = respond(assessment, PEER, {})
    (second,) = respond(assessment, PEER, {})
    (own,) = respond(assessment, SELF, {})
    ThemeComment.objects.create(response=manager, theme=theme, text="From the manager.")
    ThemeComment.objects.create(response=peer, theme=theme, text="From a peer.")
    ThemeComment.objects.create(response=second, theme=theme, text="From another peer.")
    ThemeComment.objects.create(response=own, theme=theme, text="Mine.")

    comments = theme_report(assessment=assessment, theme=theme).comments
    assert not comments.shown
    assert comments.comments == ()
    assert comments.reason == (
        "Other raters' comments are not shown because fewer than 3 raters other than your "
        "line manager responded"
    )
    assert comments.line_manager == ("From the manager.",)
    assert comments.own == ("Mine.",)

    (third,) = respond(assessment, PEER, {})
    ThemeComment.objects.create(
        response=third, theme=theme, text="Redacted.", redacted_at=timezone.now()
    )
    comments = theme_report(assessment=assessment, theme=theme).comments
    assert comments.shown
    assert set(comments.comments) == {"From a peer.", "From another peer."}
    assert comments.line_manager == ("From the manager.",)


def test_comments_belong_to_their_theme(assessment, framework):
    first, second = framework.themes.order_by("order")[:2]
    for i in range(3):
        (response,) = respond(assessment, PEER, {})
        ThemeComment.objects.create(response=response, theme=second, text=f"Second {i}")

    report = assessment_report(assessment=assessment)

    assert report.theme(first).comments.comments == ()
    assert len(report.theme(second).comments.comments) == 3


@pytest.mark.parametrize("raters", [5, 40])
def test_a_fixed_number_of_queries_whatever_the_size(
    framework, programme, raters, django_assert_num_queries
):
    assessment = AssessmentFactory(programme=programme)
    statements = [
        s for t in framework.themes.all() for q in t.qualities.all() for s in q.statements.all()
    ]
    respond(assessment, SELF, dict.fromkeys(statements, 4))
    respond(assessment, LINE_MANAGER, dict.fromkeys(statements, 3))
    for i in range(raters):
        group = (PEER, DIRECT_REPORT, OTHER)[i % 3]
        values = {s: None if (i + s.pk) % 4 == 0 else 1 + (i + s.pk) % 5 for s in statements}
        (response,) = respond(assessment, group, values)
        ThemeComment.objects.create(response=response, theme=statements[0].quality.theme, text="x")
    theme = framework.themes.order_by("order").first()

    # The programme, statements, response counts, statement sums, masks, comments (the
    # quality and theme sums are derived from the statement sums and the masks).
    loaded = fresh(assessment)
    with django_assert_num_queries(6):
        report = assessment_report(assessment=loaded)
    loaded = fresh(assessment)
    with django_assert_num_queries(6):
        theme_report(assessment=loaded, theme=theme)

    assert len(report.statements) == 39
    assert report.themes[0].scores.all_raters.respondents == raters + 1


def _ratings(values):
    return Figures(
        respondents=len(values),
        n=len(values),
        ratings=len(values),
        total=sum(values),
        total_of_squares=sum(v * v for v in values),
    )


def test_the_gap_shown_is_the_difference_of_the_figures_shown():
    own = _ratings([4, 4, 5])  # 4.333 -> "4.3"
    others = _ratings([4, 4, 4, 4, 5, 4])  # 4.1667 -> "4.2"; exact gap 0.1667 -> "+0.2"
    scores = Scores(own, GroupFigures("all", "All raters", others), None, ())

    assert (format_score(scores.self_score), format_score(scores.all_raters.mean)) == (
        "4.3",
        "4.2",
    )
    assert format_gap(scores.gap) == "+0.1"


ratings_lists = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=40)


@given(own=ratings_lists, others=ratings_lists)
def test_any_gap_shown_adds_up_with_the_scores_shown(own, others):
    scores = Scores(_ratings(own), GroupFigures("all", "All raters", _ratings(others)), None, ())

    shown = Decimal(format_score(scores.self_score)) - Decimal(format_score(scores.all_raters.mean))
    assert format_gap(scores.gap) == format_gap(shown)


def test_display_rounding_is_half_up_not_bankers():
    assert one_decimal(Decimal("2.25")) == Decimal("2.3")
    assert one_decimal(Decimal("2.35")) == Decimal("2.4")
    assert one_decimal(2.25) == Decimal("2.3")
    assert one_decimal(2.35) == Decimal("2.4")  # 2.35 as a float is 2.34999...
    assert one_decimal(Decimal("-2.25")) == Decimal("-2.3")
    assert one_decimal(None) is None
    assert format_gap(Decimal("-0.75")) == "\u22120.8"
    assert format_gap(Decimal("0.04")) == "0.0"
    assert round(2.25, 1) == 2.2  # what the function is there to avoid


def test_a_mean_of_two_and_a_quarter_displays_as_2_3(assessment, theme, statements):
    s1 = statements[0]
    for value in (2, 2, 2, 3):
        respond(assessment, PEER, {s1: value})

    everyone = theme_report(assessment=assessment, theme=theme).statements[0].scores.all_raters

    assert everyone.mean == Decimal("2.25")
    assert format_score(everyone.mean) == "2.3"


def test_a_theme_of_another_framework_is_refused(assessment):
    other = Framework.objects.create(name="Other", slug="other", version="1")
    stray = Theme.objects.create(
        framework=other, order=1, name="Stray", slug="stray", description=""
    )

    with pytest.raises(ValueError, match="not part of this assessment's framework"):
        theme_report(assessment=assessment, theme=stray)


def test_an_assessment_without_responses_has_empty_figures(assessment, theme):
    result = theme_report(assessment=assessment, theme=theme)

    assert result.scores.self_score is None
    assert result.scores.line_manager is None
    assert result.scores.all_raters.shown
    assert result.scores.all_raters.mean is None
    assert result.scores.all_raters.n == 0
    assert len(result.statements) == 9
    assert not result.comments.shown


def test_the_threshold_comes_from_the_programme(framework, theme, statements):
    programme = ProgrammeFactory(framework=framework, anonymity_threshold=4)
    assessment = AssessmentFactory(programme=programme)
    respond(assessment, PEER, {statements[0]: 4}, count=3)

    result = theme_report(assessment=assessment, theme=theme)

    assert result.threshold == 4
    assert not result.scores.all_raters.shown
    assert "fewer than 4 raters" in result.scores.all_raters.reason
