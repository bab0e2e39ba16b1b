"""Property: over two cycles, no displayed change lets anyone isolate fewer than k raters.

Worst case for the raters: a person who rates in both cycles gives the same answers both
times, so their two ratings are one unknown. Each displayed change puts two sets of people
side by side (who rated the scope earlier, who rated it now); whatever can be computed by
adding and subtracting those sums must never be the answers of 1..k-1 people
(``reports.aggregation.disclosure.exposed_cells`` decides that exactly). In particular a
rater present in only one cycle is not isolable by differencing.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import RaterGroup
from reports.aggregation import theme_report
from reports.aggregation.disclosure import exposed_cells
from reports.change import theme_change

from .helpers import pair, theme_statements

K = 3
GROUPS = [RaterGroup.LINE_MANAGER, RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.OTHER]

person = st.fixed_dictionaries(
    {
        "group": st.sampled_from(GROUPS),
        # in which cycles they rated: earlier only, current only, or both
        "cycles": st.sampled_from([(0, 1), (1,), (0, 1), (0,)]),
        # per cycle, per quality of the theme: rated (a value) or "Not observed"
        "rated": st.lists(
            st.lists(st.sampled_from([True, True, True, False]), min_size=4, max_size=4),
            min_size=2,
            max_size=2,
        ),
        "value": st.integers(min_value=1, max_value=5),
    }
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(person, min_size=3, max_size=12))
def test_no_displayed_change_isolates_fewer_than_k_raters(framework, people):
    from django.db import transaction

    from tests.factories import UserFactory

    theme = framework.themes.get(slug="being")
    statements = theme_statements(theme)
    qualities = sorted({s.quality_id for s in statements})
    with transaction.atomic():
        cycles = [[(RaterGroup.SELF, dict.fromkeys(statements, 3))] for _ in range(2)]
        rated_in = {}  # (cycle, quality) -> people who rated it
        for who, p in enumerate(people):
            for cycle in p["cycles"]:
                values = {}
                for s in statements:
                    q = qualities.index(s.quality_id) % 4
                    values[s] = p["value"] if p["rated"][cycle][q] else None
                cycles[cycle].append((p["group"], values))
                for q_index, quality in enumerate(qualities):
                    if p["rated"][cycle][q_index % 4]:
                        rated_in.setdefault((cycle, quality), set()).add(who)
                        rated_in.setdefault((cycle, "theme"), set()).add(who)
        _, now = pair(
            framework=framework,
            leader=UserFactory(),
            earlier_raters=cycles[0],
            current_raters=cycles[1],
            k=K,
        )
        change = theme_change(
            assessment=now, theme=theme, result=theme_report(assessment=now, theme=theme)
        )
        for row in change.rows:
            if not row.shown:
                continue
            scope = "theme" if row.level == "theme" else row.scope_id
            earlier, current = rated_in.get((0, scope), set()), rated_in.get((1, scope), set())
            assert (row.earlier.n, row.current.n) == (len(earlier), len(current))
            cells = earlier | current
            weights = {who: 1 << who for who in cells}
            assert exposed_cells([earlier, current], weights, K) is None, (earlier, current)
        transaction.set_rollback(True)
