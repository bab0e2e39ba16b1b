"""Property test (hypothesis): whatever the group sizes and ratings, no displayed figure
stands for 1..k-1 anonymous raters, and no two nested displayed figures differ by 1..k-1.

Reports are built from the database for random compositions — line manager 0–2, peers,
direct reports and others 0–10 each, random ratings with "Not observed" sprinkled in — and
every statement, quality and theme figure of the first theme is checked.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import RaterGroup
from reports.aggregation import assessment_report
from tests.factories import AssessmentFactory, ProgrammeFactory, ResponseFactory

GROUPS = (RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.OTHER)
answer = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
composition = st.fixed_dictionaries(
    {
        "k": st.integers(min_value=3, max_value=5),
        "line_managers": st.integers(min_value=0, max_value=2),
        "peer": st.integers(min_value=0, max_value=10),
        "direct_report": st.integers(min_value=0, max_value=10),
        "other": st.integers(min_value=0, max_value=10),
        "seed": st.integers(min_value=0, max_value=2**16),
    }
)


def small(count: int | None, k: int) -> bool:
    return count is not None and 0 < count < k


def anonymous_count(scores, attribute):
    """How many anonymous raters stand behind All raters: everyone but the line manager."""
    total = getattr(scores.all_raters, attribute)
    manager = scores.line_manager
    if manager is not None and manager.shown:
        total -= getattr(manager, attribute)
    return total


def check_scores(scores, k, where):
    for attribute in ("n", "respondents"):
        if scores.all_raters.shown:
            assert not small(anonymous_count(scores, attribute), k), (where, attribute)
        for group in scores.groups:
            if not group.shown:
                continue
            count = getattr(group, attribute)
            assert not small(count, k), (where, group.key, attribute, count)
            if scores.all_raters.shown:
                # All raters contains the group: the difference (less the identified line
                # manager) must be 0 or at least k anonymous raters.
                rest = anonymous_count(scores, attribute) - count
                assert not small(rest, k), (where, group.key, attribute, rest)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=composition, data=st.data())
def test_no_displayed_figure_reveals_fewer_than_k_raters(framework, case, data):
    programme = ProgrammeFactory(framework=framework, anonymity_threshold=case["k"])
    assessment = AssessmentFactory(programme=programme)
    theme = framework.themes.order_by("order").first()
    statements = [
        s for q in theme.qualities.order_by("order") for s in q.statements.order_by("order")
    ]
    raters = [RaterGroup.LINE_MANAGER] * case["line_managers"] + [
        group for group in GROUPS for _ in range(case[group.value])
    ]
    for group in [RaterGroup.SELF, *raters]:
        values = data.draw(st.lists(answer, min_size=len(statements), max_size=len(statements)))
        ResponseFactory(
            assessment=assessment,
            rater_group=group,
            values=dict(zip(statements, values, strict=True)),
        )

    result = assessment_report(assessment=assessment).theme(theme)
    k = case["k"]
    check_scores(result.scores, k, "theme")
    for quality in result.qualities:
        check_scores(quality.scores, k, quality.quality.name)
        for statement in quality.statements:
            check_scores(statement.scores, k, statement.statement.pk)
    if not result.comments.shown:
        return
    anonymous = len(raters)
    assert anonymous >= k


versions_case = st.fixed_dictionaries(
    {
        "k": st.integers(min_value=3, max_value=4),
        "first": st.fixed_dictionaries(
            {g.value: st.integers(min_value=0, max_value=6) for g in GROUPS}
        ),
        "rounds": st.lists(
            st.fixed_dictionaries({g.value: st.integers(min_value=0, max_value=4) for g in GROUPS}),
            min_size=1,
            max_size=3,
        ),
    }
)


def shown_counts(scores) -> dict:
    """Row -> (n, respondents) of anonymous raters behind each shown figure of a scope."""
    counts = {}
    if scores.all_raters.shown:
        counts["all"] = tuple(anonymous_count(scores, a) for a in ("n", "respondents"))
    for group in scores.groups:
        if group.shown:
            counts[group.key] = (group.n, group.respondents)
    return counts


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=versions_case, data=st.data())
def test_no_sequence_of_versions_reveals_fewer_than_k_raters(framework, case, data):
    """Promise 8: late responses arrive in rounds after the first release; whatever is
    released, every figure shown in one version and again in another differs between them
    by 0 or at least k anonymous raters, and held responses are in no version."""
    from reports.models import ReportVersion
    from reports.versions import late_responses_admit, versions_release

    k = case["k"]
    programme = ProgrammeFactory(framework=framework, anonymity_threshold=k)
    assessment = AssessmentFactory(programme=programme)
    theme = framework.themes.order_by("order").first()
    statements = [
        s for q in theme.qualities.order_by("order") for s in q.statements.order_by("order")
    ]

    def add(counts, held):
        for group in GROUPS:
            for _ in range(counts[group.value]):
                values = data.draw(
                    st.lists(answer, min_size=len(statements), max_size=len(statements))
                )
                response = ResponseFactory(
                    assessment=assessment,
                    rater_group=group,
                    values=dict(zip(statements, values, strict=True)),
                )
                if held:
                    response.held = True
                    response.save(update_fields=["held"])

    def scopes():
        result = assessment_report(assessment=assessment).theme(theme)
        found = {("theme", theme.pk): shown_counts(result.scores)}
        for quality in result.qualities:
            found[("quality", quality.quality.pk)] = shown_counts(quality.scores)
            for statement in quality.statements:
                found[("statement", statement.statement.pk)] = shown_counts(statement.scores)
        return found

    add(case["first"], held=False)
    released = []
    if versions_release(assessment=assessment):
        released.append(scopes())
    for late in case["rounds"]:
        add(late, held=bool(released))
        late_responses_admit(assessment=assessment)
        if versions_release(assessment=assessment):
            released.append(scopes())

    for i, earlier in enumerate(released):
        for later in released[i + 1 :]:
            for scope, rows in later.items():
                for row, counts in rows.items():
                    before = earlier.get(scope, {}).get(row)
                    if before is None:
                        continue
                    for now, then in zip(counts, before, strict=True):
                        assert not small(now - then, k), (scope, row, now, then)
    held = {str(pk) for pk in assessment.responses.filter(held=True).values_list("pk", flat=True)}
    for version in ReportVersion.objects.filter(assessment=assessment):
        assert not held & set(version.responses)
