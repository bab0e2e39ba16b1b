"""Aggregating many assessments at once (``assessment_reports``) gives each assessment the
report ``assessment_report`` gives it alone, in a number of queries that does not grow with
the number of assessments."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.management.commands.generate_cohort import cohort_generate
from assessments.models import Assessment, Programme, RaterGroup, ThemeComment
from reports.aggregation import assessment_report, assessment_reports, theme_report
from reports.aggregation.disclosure import memo_clear
from tests.factories import AssessmentFactory, ProgrammeFactory, ResponseFactory

PEER, DIRECT_REPORT, OTHER = RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.OTHER
LINE_MANAGER, SELF = RaterGroup.LINE_MANAGER, RaterGroup.SELF


def _statements(framework):
    return [
        s
        for t in framework.themes.order_by("order")
        for q in t.qualities.order_by("order")
        for s in q.statements.order_by("order")
    ]


def _hand_made(framework, k, rng) -> list[int]:
    """Assessments the generator does not make: tiny and lopsided groups, a missing line
    manager, Not observed on whole qualities, skipped statements, redacted comments."""
    programme = ProgrammeFactory(framework=framework, anonymity_threshold=k)
    statements = _statements(framework)
    compositions = [
        {},  # nobody responded
        {SELF: 1},
        {SELF: 1, LINE_MANAGER: 1, PEER: 2},  # fewer than k anonymous raters
        {LINE_MANAGER: 2, PEER: k, DIRECT_REPORT: 1, OTHER: 1},
        {SELF: 1, PEER: k + 1, DIRECT_REPORT: k, OTHER: 2},
        {SELF: 1, LINE_MANAGER: 1, PEER: k, DIRECT_REPORT: k, OTHER: k},
    ]
    ids = []
    for composition in compositions:
        assessment = AssessmentFactory(programme=programme)
        ids.append(assessment.pk)
        for group, count in composition.items():
            for _ in range(count):
                values = {}
                for s in statements:
                    draw = rng.random()
                    if draw < 0.05:
                        continue  # no row for this statement
                    values[s] = None if draw < 0.25 else rng.randint(1, 5)
                response = ResponseFactory(assessment=assessment, rater_group=group, values=values)
                for theme in framework.themes.all():
                    if rng.random() < 0.5:
                        ThemeComment.objects.create(
                            response=response,
                            theme=theme,
                            text=f"comment {rng.random()}",
                            redacted_at=timezone.now() if rng.random() < 0.2 else None,
                        )
    return ids


@pytest.fixture
def batch_cohorts(framework):
    """Three programmes with thresholds 3, 4 and 5: generated cohorts of varied group sizes
    (with the generator's Not observed answers and comments), and hand-made assessments."""
    rng = random.Random(12)
    ids = []
    for k, raters, seed in ((3, 7, 1), (4, 12, 2)):
        generated = cohort_generate(leaders=5, raters=raters, seed=seed, framework=framework)
        Programme.objects.filter(pk=generated.programme_id).update(anonymity_threshold=k)
        ids += generated.assessment_ids
    ids += _hand_made(framework, 5, rng)
    return ids


def _loaded(ids):
    by_pk = Assessment.objects.select_related("programme").in_bulk(ids)
    return [by_pk[pk] for pk in ids]


@pytest.mark.django_db
def test_the_batch_gives_each_assessment_its_own_report(framework, batch_cohorts):
    alone = [assessment_report(assessment=a) for a in _loaded(batch_cohorts)]
    memo_clear()  # the batch decides afresh, not from the memo

    batch = list(assessment_reports(assessments=_loaded(batch_cohorts)))

    assert [r.assessment_id for r in batch] == batch_cohorts
    assert batch == alone
    # The batch_cohorts exercises what disclosure control does, not only the easy cases.
    reasons = " ".join(g.reason for r in batch for s in r.statements for g in s.scores.suppressed)
    for why in ("responded", "could observe it", "so that figures withheld elsewhere"):
        assert why in reasons
    assert any(s.scores.all_raters.shown for r in batch for s in r.statements)


@pytest.mark.django_db
def test_a_theme_report_is_that_theme_of_the_assessment_report(framework, batch_cohorts):
    themes = list(framework.themes.order_by("order"))
    for assessment, report in zip(
        _loaded(batch_cohorts), assessment_reports(assessments=_loaded(batch_cohorts)), strict=True
    ):
        for theme in themes:
            assert theme_report(assessment=assessment, theme=theme) == report.theme(theme)


@pytest.mark.django_db
def test_the_batch_costs_the_same_queries_for_few_or_many_assessments(framework, batch_cohorts):
    def queries(ids):
        assessments = _loaded(ids)
        with CaptureQueriesContext(connection) as captured:
            reports = list(assessment_reports(assessments=assessments))
        assert len(reports) == len(ids)
        return len(captured.captured_queries)

    few, many = queries(batch_cohorts[:2]), queries(batch_cohorts)

    assert many == few <= 7


def test_the_fast_constructors_make_the_dataclasses_objects(framework):
    from dataclasses import fields

    from reports.aggregation import Figures, GroupFigures, Scores, StatementResult
    from reports.aggregation.build import _figures, _group_figures, _scores, _statement_result

    def same(made, real):
        assert (made, hash(made), repr(made)) == (real, hash(real), repr(real))
        # A field added to the class must be added to its fast constructor too.
        assert set(vars(made)) == {f.name for f in fields(type(real))}

    made, real = _figures((5, 4, 9, 31, 117)), Figures(5, 4, 9, 31, 117)
    same(made, real)
    assert made.mean == real.mean and made.sd == real.sd
    group, real_group = _group_figures("peer", "Peers", made), GroupFigures("peer", "Peers", real)
    same(group, real_group)
    scores = _scores(made, group, None, (group,))
    same(scores, Scores(real, real_group, None, (real_group,)))
    assert scores.gap == Scores(real, real_group, None, (real_group,)).gap
    statement = framework.themes.first().qualities.first().statements.first()
    same(
        _statement_result(statement, (1, 1, 1), scores),
        StatementResult(statement, (1, 1, 1), Scores(real, real_group, None, (real_group,))),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("collecting", [True, False])
def test_cycle_collection_is_off_only_while_a_chunk_is_built(
    framework, batch_cohorts, monkeypatch, collecting
):
    import gc

    from reports.aggregation import build

    seen = []
    real_build = build._build

    def watched(**kwargs):
        seen.append(gc.isenabled())
        return real_build(**kwargs)

    monkeypatch.setattr(build, "_build", watched)
    (gc.enable if collecting else gc.disable)()
    try:
        reports = assessment_reports(assessments=_loaded(batch_cohorts))
        first = next(reports)
        between_chunks = gc.isenabled()  # the caller's code runs with the collector as it was
        rest = list(reports)
        after = gc.isenabled()
    finally:
        gc.enable()

    assert [first.assessment_id] + [r.assessment_id for r in rest] == batch_cohorts
    assert seen and not any(seen)
    assert between_chunks is collecting and after is collecting
    assert gc.get_freeze_count() == 0  # what was set aside is back in the collector's sight


@pytest.mark.django_db
def test_reports_set_aside_from_the_collector_are_returned_when_the_caller_stops(
    framework, batch_cohorts
):
    import gc

    reports = assessment_reports(assessments=_loaded(batch_cohorts))
    next(reports)
    set_aside = gc.get_freeze_count()
    del reports  # the caller stops early: the generator is closed

    assert set_aside > 0
    assert gc.get_freeze_count() == 0
