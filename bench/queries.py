"""SQL queries per page, and per aggregation, at a small and a large size side by side.

In process, with Django's test client and ``CaptureQueriesContext``, against two open
programmes of different sizes. Each page is requested once to warm up (content types,
sessions, a rater's first save moving them from invited to started), then counted: the
steady state a user meets on every later request. A page passes when its count is the same
at both sizes and under the limit. Counts include BEGIN and COMMIT, as ``assertNumQueries``
does: each is a round trip. For every page the slowest statement and the time per request
(SQL and template shares) are kept too, since a fixed count can still hide a query whose
cost grows with the programme.
"""

import re
import time
from collections import Counter
from dataclasses import dataclass

from .figures import Figure

LIMIT = 15
PAGE_LIMITS = {"draft_save": 5}  # at most this many (issue 15, item 9); others: < LIMIT
TIME_BUDGET_SECONDS = 3.0  # per page and size, for the timing runs
PAGES = (
    ("rater_form_page", "Queries: rater form page"),
    ("draft_save", "Queries: draft save"),
    ("leader_dashboard", "Queries: leader dashboard /my/<pk>/"),
    ("self_assessment_page", "Queries: self-assessment page"),
    ("programme_dashboard", "Queries: programme dashboard /programmes/<pk>/"),
    ("aggregation", "Queries: one assessment's aggregation"),
)
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def _normalised(sql: str) -> str:
    return _LITERALS.sub("?", sql)


@dataclass
class Page:
    """One page measured at one size."""

    statements: list[str]
    times_ms: list[float]
    problem: str = ""
    timing: dict | None = None

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def slowest(self) -> tuple[float, str]:
        if not self.statements:
            return 0.0, ""
        index = max(range(self.count), key=self.times_ms.__getitem__)
        return self.times_ms[index], self.statements[index]


def _counted(action, expected_status=None) -> Page:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        outcome = action()
    status = getattr(outcome, "status_code", None)
    problem = ""
    if expected_status is not None and status != expected_status:
        problem = f"HTTP {status}, expected {expected_status}"
    return Page(
        statements=[q["sql"] for q in captured.captured_queries],
        times_ms=[1000 * float(q["time"]) for q in captured.captured_queries],
        problem=problem,
    )


def _timed(action, repeats: int) -> dict:
    """Where one request's time goes, in process: wall time, SQL (round trips included) and
    template rendering (its share in a profiled run applied to the wall time). At most
    ``repeats`` runs, fewer once ``TIME_BUDGET_SECONDS`` is spent."""
    import cProfile
    import pstats

    from .aggregation import sql_timed

    def runs(body):
        done, started = 0, time.perf_counter()
        while done < repeats and (not done or time.perf_counter() - started < TIME_BUDGET_SECONDS):
            body()
            done += 1
        return done, time.perf_counter() - started

    with sql_timed() as timer:
        done, seconds = runs(action)
    profiler = cProfile.Profile()
    profiler.enable()
    runs(action)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(tt for (_, _, _), (_, _, tt, _, _) in stats.items())
    template = max(
        (ct for (f, _, name), (_, _, _, ct, _) in stats.items()
         if f.endswith("django/template/base.py") and name == "render"),
        default=0.0,
    )  # fmt: skip
    wall_ms = 1000 * seconds / done
    return {
        "ms_per_request": round(wall_ms, 2),
        "sql_ms": round(1000 * timer.seconds / done, 2),
        "template_ms": round(wall_ms * template / total, 2) if total else None,
        "runs": done,
    }


def _signed_in_client(user):
    from django.test import Client

    from .web import leader_session

    client = Client()
    name, key = leader_session(user)
    client.cookies[name] = key
    return client


def page_counts(cohort, *, theme_slug: str, repeats: int) -> dict[str, Page]:
    """Each page of ``PAGES`` measured in ``cohort`` (an open programme)."""
    from django.db.models import Count
    from django.test import Client

    from accounts.models import User
    from assessments.models import Assessment, RaterGroup, Response
    from framework.models import Statement
    from reports.aggregation import assessment_report

    own_done = set(
        Response.objects.filter(
            assessment_id__in=cohort.assessment_ids, rater_group=RaterGroup.SELF
        ).values_list("assessment_id", flat=True)
    )
    link = next((x for x in cohort.links if x.assessment_id not in own_done), None)
    if link is None:
        raise RuntimeError(
            "No leader in the cohort has an open self-assessment and an invited rater."
        )
    page = f"/feedback/form/{theme_slug}/"
    statements = Statement.objects.filter(quality__theme__slug=theme_slug).values_list(
        "pk", flat=True
    )
    answers = {f"s-{pk}": "4" for pk in statements}
    answers.update(comment="A comment saved by the benchmark.", action="save")
    rater = Client()
    start = rater.post(f"/feedback/{link.token}/", {"action": "start"})
    if start.status_code != 302:
        raise RuntimeError(f"Starting the rater form answered {start.status_code}.")
    leader = _signed_in_client(User.objects.get(pk=link.leader_id))
    staff = _signed_in_client(User.objects.get(pk=cohort.admin_id))
    busiest = (
        Response.objects.filter(assessment_id__in=cohort.assessment_ids)
        .values("assessment_id")
        .annotate(n=Count("id"))
        .order_by("-n", "assessment_id")
        .first()
    )
    assessments = Assessment.objects.select_related("programme__framework", "leader")
    reported = assessments.get(pk=busiest["assessment_id"])
    actions = {
        "rater_form_page": (lambda: rater.get(page), 200),
        "draft_save": (lambda: rater.post(page, answers), 302),
        "leader_dashboard": (lambda: leader.get(f"/my/{link.assessment_id}/"), 200),
        "self_assessment_page": (
            lambda: leader.get(f"/my/{link.assessment_id}/self/{theme_slug}/"),
            200,
        ),
        "programme_dashboard": (lambda: staff.get(f"/programmes/{cohort.programme_id}/"), 200),
        "aggregation": (lambda: assessment_report(assessment=reported), None),
    }
    results = {}
    for key, (action, status) in actions.items():
        action()  # warm up
        if key == "aggregation":  # a fresh object, as the task loads it
            reported = assessments.get(pk=reported.pk)
        results[key] = _counted(action, status)
        results[key].timing = _timed(action, repeats)
    return results


def queries_figures(small: dict, large: dict, *, small_label: str, large_label: str):
    figures = []
    for key, label in PAGES:
        few, many = small[key], large[key]
        problem = "; ".join(p for p in (few.problem, many.problem) if p)
        limit = PAGE_LIMITS.get(key)
        within = many.count <= limit if limit else many.count < LIMIT
        passed = not problem and few.count == many.count and within
        slow_ms, slow_sql = many.slowest
        details = {
            "small": few.count,
            "large": many.count,
            "sizes": [small_label, large_label],
            "of_which_begin_commit": sum(s in ("BEGIN", "COMMIT") for s in many.statements),
            "time_small": few.timing,
            "time_large": many.timing,
            "slowest_query_ms_small": round(few.slowest[0], 2),
            "slowest_query_ms_large": round(slow_ms, 2),
            "slowest_query_large": slow_sql[:3000],
        }
        if not passed:
            repeated = Counter(map(_normalised, many.statements)).most_common(3)
            details["most_repeated"] = [{"times": n, "sql": sql[:600]} for sql, n in repeated]
            details["statements_large"] = [s[:300] for s in many.statements]
            extra = Counter(map(_normalised, many.statements)) - Counter(
                map(_normalised, few.statements)
            )
            details["extra_at_large_size"] = [
                {"times": n, "sql": sql[:600]} for sql, n in extra.most_common(3)
            ]
        figures.append(
            Figure(
                key=f"queries.{key}",
                label=label,
                measured=many.count,
                unit="queries",
                baseline=few.count,
                baseline_label=small_label,
                ratio=many.count / few.count if few.count else None,
                target=f"same at both sizes, {f'<= {limit}' if limit else f'< {LIMIT}'}",
                passed=passed,
                details=details,
                error=problem,
            )
        )
    return figures


def side_by_side(figures: list[Figure]) -> str:
    """Counts and in-process times at both sizes, and the slowest statement at the large one."""
    rows, sizes = [], ("small", "large")
    for f in figures:
        if not f.key.startswith("queries.") or f.measured is None:
            continue
        d = f.details
        sizes = d["sizes"]
        rows.append(
            (
                f.label.removeprefix("Queries: "),
                f"{f.baseline} / {f.measured}",
                f"{(d['time_small'] or {}).get('ms_per_request', '-')} / "
                f"{(d['time_large'] or {}).get('ms_per_request', '-')}",
                f"{d['slowest_query_ms_large']:.1f}",
                "pass" if f.passed else "FAIL",
            )
        )
    if not rows:
        return ""
    header = ("page", "queries", "ms in process", "slowest query ms (large)", "same, < 15")
    table = [header, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = [f"small = {sizes[0]}; large = {sizes[1]} (small / large)"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in table]
    lines.insert(2, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
