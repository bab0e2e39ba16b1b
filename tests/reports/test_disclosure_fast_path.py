"""The fast path of disclosure control gives what the full path gives (disclosure.py, "No
sensitive cell"), and the derived quality and theme sums equal the GROUP BY ones.

Random compositions, in the style of test_anonymity.py: groups of 0-8 anonymous raters,
"Not observed" at 0-60 %, statements without a row, k from 3 to 5, some compositions with
every cell at k or more (where the fast path answers) and some without.
"""

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import RaterGroup
from reports import selectors
from reports.aggregation.build import _scopes, _totals
from reports.aggregation.disclosure import (
    Rater,
    _protect_theme,
    plan_units,
    protect_theme,
    sensitive_cells,
)
from tests.factories import AssessmentFactory, ResponseFactory

ANONYMOUS = ("peer", "direct_report", "other")
SELF, LINE_MANAGER = RaterGroup.SELF, RaterGroup.LINE_MANAGER
PEER, DIRECT_REPORT, OTHER = RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.OTHER


@st.composite
def compositions(draw):
    k = draw(st.integers(min_value=3, max_value=5))
    sizes = draw(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=3))
    qualities, bit = [], 0
    for size in sizes:
        qualities.append(tuple(range(bit, bit + size)))
        bit += size
    full = (1 << bit) - 1
    # Mostly everyone answers everything (the real shape: cells of k or more), with some
    # masks drawn at random, so both paths are exercised.
    mask = st.one_of(st.just(full), st.just(full), st.integers(min_value=0, max_value=full))
    people = []
    for group in ANONYMOUS:
        for _ in range(draw(st.integers(min_value=0, max_value=8))):
            answered = draw(mask)
            rated = answered & draw(mask)
            people.append(Rater(group, rated, answered))
    return k, people, qualities


def full_path(plan, raters, qualities):
    """``protect_theme`` without its fast path and memo: the canonical key, computed afresh."""
    qualities = tuple(tuple(bits) for bits in qualities)
    theme_bits = sum(1 << b for bits in qualities for b in bits)
    canonical = tuple(
        sorted((r.group, r.rated & theme_bits, r.answered & theme_bits) for r in raters)
    )
    return _protect_theme.__wrapped__(plan, canonical, qualities)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compositions())
def test_the_fast_path_gives_what_the_full_path_gives(composition):
    k, raters, qualities = composition
    plan = plan_units(counts=Counter(r.group for r in raters), k=k)
    theme_bits = sum(1 << b for bits in qualities for b in bits)

    full = full_path(plan, raters, qualities)

    assert protect_theme(plan=plan, raters=raters, qualities=qualities) == full
    if plan.anonymous_shown and not sensitive_cells(plan=plan, raters=raters, bits=theme_bits):
        assert full == {}  # where the fast path answers, the full path hides nothing too


def test_the_fast_path_is_taken_only_without_sensitive_cells():
    plan = plan_units(counts={"peer": 3, "direct_report": 3}, k=3)
    everyone = [Rater(g, 0b111, 0b111) for g in ("peer",) * 3 + ("direct_report",) * 3]
    assert not sensitive_cells(plan=plan, raters=everyone, bits=0b111)
    assert protect_theme(plan=plan, raters=everyone, qualities=[(0, 1, 2)]) == {}

    # One peer could not observe statement 1: 2 peers rated it, a sensitive cell.
    one_short = [Rater("peer", 0b101, 0b111), *everyone[1:]]
    assert sensitive_cells(plan=plan, raters=one_short, bits=0b111)
    hidden = protect_theme(plan=plan, raters=one_short, qualities=[(0, 1, 2)])
    assert hidden == full_path(plan, one_short, [(0, 1, 2)])
    assert ("peer", ("statement", 1)) in hidden
    # Bits outside the theme do not count.
    assert not sensitive_cells(plan=plan, raters=one_short, bits=0b101)


@pytest.mark.parametrize("seed", [1, 2])
def test_derived_quality_and_theme_sums_equal_the_group_by(framework, programme, seed):
    """``_totals`` (statement sums + masks) against the GROUP BY at each level it replaces:
    respondents and raters are distinct responses, so "Not observed" and missing rows
    matter; a held response counts nowhere."""
    rng = random.Random(seed)
    assessment = AssessmentFactory(programme=programme)
    other = AssessmentFactory(programme=programme)
    statements = selectors.framework_statements(framework_id=framework.pk)
    groups = [SELF, LINE_MANAGER] + [rng.choice((PEER, DIRECT_REPORT, OTHER)) for _ in range(9)]
    for target in (assessment, other):
        for group in groups:
            values = {
                s: (None if rng.random() < 0.2 else rng.randint(1, 5))
                for s in statements
                if rng.random() > 0.1  # a statement without a row
            }
            ResponseFactory(assessment=target, rater_group=group, values=values)
    ResponseFactory(assessment=assessment, rater_group=PEER, held=True, values={statements[0]: 1})
    batch = [assessment, other]

    sums = selectors.rating_totals(assessments=batch, level="statement")
    masks = selectors.answer_masks(assessments=batch, statements=statements, groups=None)
    for a in batch:
        derived = _totals(sums[a.pk], masks[a.pk], _scopes(statements))
        for level in ("statement", "quality", "theme"):
            expected = selectors.rating_totals(assessments=batch, level=level)[a.pk]
            assert derived[level] == expected, level
