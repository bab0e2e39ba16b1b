"""The anonymity promise (PRODUCT.md), checked by brute force against what reports show.

Two independent checkers look only at the displayed aggregates, as sets of raters:
- per scope (a statement, a quality, the theme), every combination of displayed aggregates
  with coefficients in {-1, 0, 1}: when it adds up to a set of raters, that set has 0 or at
  least k anonymous members (the line manager's and the leader's ratings are identified
  anyway, so they do not count);
- across scopes (a quality is the sum of its statements), an exact rank test: no set of
  (rater group, statement) cells with 1..k-1 raters behind it is a rational linear
  combination of the displayed aggregates.
Both run over thousands of random group compositions, and over real reports from the
database; and both are shown to catch the leaks of a naive suppression.
"""

import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

import pytest

from assessments.models import RaterGroup
from reports.aggregation import assessment_report
from reports.aggregation.disclosure import (
    ALL,
    COMPLEMENT,
    FEW_RATED,
    IN_ALL,
    MERGED,
    POOL,
    POOLED,
    Rater,
    plan_units,
    protect_theme,
)
from tests.factories import AssessmentFactory, ProgrammeFactory, ResponseFactory

ANONYMOUS = ("peer", "direct_report", "other")
LINE_MANAGER = -1  # the line manager's person id in the pure cases: identified, never counted


@dataclass
class Case:
    k: int
    line_managers: int
    people: list  # (group, rated mask, answered mask) of each anonymous rater
    qualities: list  # the statement bits of each quality

    @property
    def scopes(self):
        every = [b for q in self.qualities for b in q]
        yield ("theme", 0), every
        for i, bits in enumerate(self.qualities):
            yield ("quality", i), bits
        for b in every:
            yield ("statement", b), [b]


def random_case(rng, max_qualities=3, max_statements=3, max_group=8) -> Case:
    qualities, bit = [], 0
    for _ in range(rng.randint(1, max_qualities)):
        size = rng.randint(1, max_statements)
        qualities.append(list(range(bit, bit + size)))
        bit += size
    not_observed = rng.choice((0.0, 0.1, 0.3, 0.6))
    skipped = rng.choice((0.0, 0.0, 0.1))  # a response without a row for a statement
    people = []
    for group in ANONYMOUS:
        for _ in range(rng.randint(0, max_group)):
            rated = answered = 0
            for b in range(bit):
                if rng.random() < skipped:
                    continue
                answered |= 1 << b
                if rng.random() >= not_observed:
                    rated |= 1 << b
            people.append((group, rated, answered))
    return Case(rng.randint(3, 5), rng.randint(0, 2), people, qualities)


def displayed(case: Case, hidden=None):
    """{scope: [(key, set of person ids)]} as a report of the case would show them."""
    plan = plan_units(counts=Counter(g for g, _, _ in case.people), k=case.k)
    if hidden is None:
        raters = [Rater(*p) for p in case.people]
        hidden = protect_theme(plan=plan, raters=raters, qualities=case.qualities)
    line_managers = {LINE_MANAGER - i for i in range(case.line_managers)}
    shown = {}
    for scope, _ in case.scopes:
        aggregates = [] if (ALL, scope) in hidden else [(ALL, set(range(len(case.people))))]
        if line_managers:
            aggregates.append(("line_manager", line_managers))
        for unit in plan.units:
            if (unit.key, scope) not in hidden:
                members = {i for i, p in enumerate(case.people) if p[0] in unit.members}
                aggregates.append((unit.key, members))
        shown[scope] = [
            (key, members | (line_managers if key == ALL else set())) for key, members in aggregates
        ]
    return shown


def assert_no_small_combination(aggregates, counted: set, k: int, where=""):
    """Every {-1, 0, 1} combination that is a set of raters has 0 or >= k ``counted`` ones.

    ``counted``: the anonymous raters whose figures are in scope (who rated, or answered).
    Anyone else adds nothing to the figures, so their coefficient does not matter. Raters
    with the same memberships get the same coefficient: they are counted together.
    """
    kinds = Counter(tuple(p in members for _, members in aggregates) for p in counted)
    for coefficients in product((-1, 0, 1), repeat=len(aggregates)):
        size = 0
        for inside, count in kinds.items():
            total = sum(c for c, i in zip(coefficients, inside, strict=True) if i)
            if total == 1:
                size += count
            elif total != 0:
                break
        else:
            combination = {
                key: c for (key, _), c in zip(aggregates, coefficients, strict=True) if c
            }
            assert size == 0 or size >= k, f"{where}: {combination} reveals {size} raters"


def check_per_scope(case: Case, shown):
    for scope, bits in case.scopes:
        mask = sum(1 << b for b in bits)
        for what, index in (("rated", 1), ("answered", 2)):
            counted = {i for i, p in enumerate(case.people) if p[index] & mask}
            assert_no_small_combination(shown[scope], counted, case.k, f"{scope} {what}")


def _echelon(vectors):
    rows = []  # (pivot, row) with the row's pivot entry 1 and zeros at earlier pivots
    for vector in vectors:
        v = _reduced(rows, vector)
        pivot = next((i for i, x in enumerate(v) if x), None)
        if pivot is not None:
            rows.append((pivot, [x / v[pivot] for x in v]))
    return rows


def _reduced(rows, vector):
    v = [Fraction(x) for x in vector]
    for pivot, row in rows:
        if v[pivot]:
            factor = v[pivot]
            v = [a - factor * b for a, b in zip(v, row, strict=True)]
    return v


def check_across_scopes(case: Case, shown):
    """No set of (group, statement) cells with 1..k-1 raters is in the span of what is shown."""
    scope_bits = dict(case.scopes)
    every = scope_bits[("theme", 0)]
    plan = plan_units(counts=Counter(g for g, _, _ in case.people), k=case.k)
    members_of = {unit.key: set(unit.members) for unit in plan.units}
    members_of[ALL] = set(ANONYMOUS)
    for index in (1, 2):  # rated, answered
        crowd = {
            (g, b): frozenset(
                i for i, p in enumerate(case.people) if p[0] == g and p[index] >> b & 1
            )
            for g in ANONYMOUS
            for b in every
        }
        cells = [c for c in crowd if crowd[c]]
        vectors = [
            [int(g in members_of[key] and b in scope_bits[scope]) for g, b in cells]
            for scope, aggregates in shown.items()
            for key, _ in aggregates
            if key != "line_manager"
        ]
        sensitive = [c for c in cells if len(crowd[c]) < case.k]
        _assert_no_small_set_in_span(_echelon(vectors), cells, sensitive, crowd, case.k)


def _assert_no_small_set_in_span(basis, cells, sensitive, crowd, k):
    """Try every set of sensitive cells with 1..k-1 raters behind it (adding a cell never
    removes a rater, so larger sets are pruned) and assert it is not in the span."""
    pending = [(0, [], frozenset())]
    while pending:
        start, chosen, people = pending.pop()
        for j in range(start, len(sensitive)):
            grown = people | crowd[sensitive[j]]
            if len(grown) >= k:
                continue
            picked = [*chosen, sensitive[j]]
            vector = [int(c in picked) for c in cells]
            assert any(_reduced(basis, vector)), f"{picked} ({len(grown)} raters) derivable"
            pending.append((j + 1, picked, grown))


def test_a_naive_suppression_is_caught_by_both_checkers():
    # 4 peers, 3 direct reports; one direct report could not observe statement 0.
    people = [("peer", 0b11, 0b11)] * 4 + [("direct_report", 0b11, 0b11)] * 2
    case = Case(3, 1, [*people, ("direct_report", 0b10, 0b11)], [[0, 1]])
    st0 = ("statement", 0)
    only_primary = {("direct_report", st0): FEW_RATED}
    with pytest.raises(AssertionError, match="reveals 2 raters"):  # All raters - peers
        check_per_scope(case, displayed(case, only_primary))
    # Hiding the peers too protects statement 0 on its own, but not across scopes:
    # the direct reports' quality figure minus their statement 1 figure is statement 0.
    column_only = {**only_primary, ("peer", st0): COMPLEMENT}
    check_per_scope(case, displayed(case, column_only))
    with pytest.raises(AssertionError, match="derivable"):
        check_across_scopes(case, displayed(case, column_only))
    # What the aggregation does: a rectangle of two groups by two statements.
    hidden = protect_theme(
        plan=plan_units(counts={"peer": 4, "direct_report": 3}, k=3),
        raters=[Rater(*p) for p in case.people],
        qualities=case.qualities,
    )
    assert set(hidden) == {(g, ("statement", b)) for g in ("peer", "direct_report") for b in (0, 1)}
    check_across_scopes(case, displayed(case))


def test_random_compositions_reveal_no_small_set_in_any_scope():
    rng = random.Random(360)
    for _ in range(3000):
        case = random_case(rng)
        check_per_scope(case, displayed(case))


def test_random_compositions_reveal_no_small_set_across_scopes():
    rng = random.Random(2024)
    for _ in range(600):
        case = random_case(rng, max_qualities=2, max_statements=3, max_group=6)
        check_across_scopes(case, displayed(case))


@pytest.mark.parametrize(
    ("counts", "units", "how"),
    [
        (
            {"peer": 3, "direct_report": 2, "other": 1},
            ["peer", POOL],
            {"direct_report": POOLED, "other": POOLED},
        ),
        (
            {"peer": 4, "direct_report": 3, "other": 1},
            ["peer", POOL],
            {"direct_report": MERGED, "other": POOLED},
        ),
        ({"peer": 3, "direct_report": 1}, [], {"peer": MERGED, "direct_report": IN_ALL}),
        ({"peer": 2, "direct_report": 2}, [], {"peer": IN_ALL, "direct_report": IN_ALL}),
        ({"peer": 1, "other": 1}, [], {"peer": IN_ALL, "other": IN_ALL}),
        ({"peer": 5}, ["peer"], {}),
    ],
)
def test_groups_under_k_are_pooled_and_a_pool_under_k_is_not_left_to_subtraction(
    counts, units, how
):
    plan = plan_units(counts=counts, k=3)
    assert [u.key for u in plan.units] == units
    assert {p.group: p.how for p in plan.placements if p.how != "alone"} == how
    assert plan.anonymous_shown == (sum(counts.values()) >= 3)


def test_fewer_than_k_anonymous_raters_hide_everything_built_from_them():
    case = Case(3, 1, [("peer", 0b1, 0b1), ("direct_report", 0b1, 0b1)], [[0]])
    shown = displayed(case)
    assert all(key == "line_manager" for aggregates in shown.values() for key, _ in aggregates)


# Real reports from the database: the same checkers on what assessment_report returns.


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_real_reports_reveal_no_small_set(framework, seed):
    rng = random.Random(seed)
    k = rng.choice((3, 4))
    programme = ProgrammeFactory(framework=framework, anonymity_threshold=k)
    assessment = AssessmentFactory(programme=programme)
    theme = framework.themes.order_by("order").first()
    statements = [
        s for q in theme.qualities.order_by("order") for s in q.statements.order_by("order")
    ]
    sizes = {"line_manager": rng.randint(0, 1), **{g: rng.randint(0, 5) for g in ANONYMOUS}}
    people, line_managers = [], 0
    ResponseFactory(
        assessment=assessment,
        rater_group=RaterGroup.SELF,
        values={s: rng.randint(1, 5) for s in statements},
    )
    for group, size in sizes.items():
        for _ in range(size):
            values = {s: None if rng.random() < 0.25 else rng.randint(1, 5) for s in statements}
            ResponseFactory(assessment=assessment, rater_group=group, values=values)
            if group == "line_manager":
                line_managers += 1
                continue
            rated = sum(1 << i for i, s in enumerate(statements) if values[s] is not None)
            people.append((group, rated, (1 << len(statements)) - 1))
    report = assessment_report(assessment=assessment).theme(theme)
    quality_bits, bit = [], 0
    for q in report.qualities:
        quality_bits.append(list(range(bit, bit + len(q.statements))))
        bit += len(q.statements)
    case = Case(k, line_managers, people, quality_bits)
    plan = plan_units(counts=Counter(g for g, _, _ in people), k=k)

    def aggregates(scores):
        result = []
        for g in (
            scores.all_raters,
            *((scores.line_manager,) if scores.line_manager else ()),
            *scores.groups,
        ):
            if not g.shown:
                continue
            if g.key == "line_manager":
                result.append((g.key, {LINE_MANAGER}))
                continue
            unit = next((u for u in plan.units if u.key == g.key), None)
            members = {i for i, p in enumerate(people) if unit is None or p[0] in unit.members}
            result.append(
                (g.key, members | ({LINE_MANAGER} if g.key == ALL and line_managers else set()))
            )
        return result

    shown = {("theme", 0): aggregates(report.scores)}
    for i, q in enumerate(report.qualities):
        shown[("quality", i)] = aggregates(q.scores)
    for b, s in enumerate(report.statements):
        shown[("statement", b)] = aggregates(s.scores)
    check_per_scope(case, shown)
    check_across_scopes(case, shown)
