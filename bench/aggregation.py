"""Aggregating a whole programme: ``assessment_reports`` over every assessment (what the
cohort exports use; the same reports as ``assessment_report`` one by one), against one
raw SQL GROUP BY over the same ratings (count, mean and spread per assessment, statement and
rater group) in the same run, the two alternating, 5 times each (min and median of both are
reported; the figure is the ratio of medians). Every timed run starts cold: disclosure
control's memos are cleared first, so no run reuses an earlier run's decisions (until
2026-12-06 they were kept, and runs 2-5 found most themes decided already). When the ratio
misses its target, a sample
is profiled to say where the time goes: SQL, building queries in the ORM, or disclosure
control in Python.
"""

import cProfile
import pstats
import time
from contextlib import contextmanager

from .figures import RUNS, Figure, median, repeated

TARGET = 4.0  # issue 15, item 7
RAW_SQL = """
SELECT r.assessment_id, rt.statement_id, r.rater_group,
       count(rt.value), avg(rt.value), stddev_samp(rt.value)
FROM assessments_rating rt
JOIN assessments_response r ON r.id = rt.response_id
JOIN assessments_assessment a ON a.id = r.assessment_id
WHERE a.programme_id = %s
GROUP BY 1, 2, 3
"""
# Where a profiled report's time is spent, by the functions that own it.
BUCKETS = (
    (
        "disclosure control (reports/aggregation/disclosure.py, span.py)",
        "aggregation/disclosure.py",
        "protect_theme",
    ),
    ("ratings sums (reports/selectors.py: ORM + SQL)", "reports/selectors.py", None),
)


class SqlTimer:
    """Counts statements and the time spent executing them (round trip included)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


@contextmanager
def sql_timed():
    """Times this thread's statements and those of any connection opened meanwhile (the
    aggregation's prefetch thread opens its own): its seconds then add up time that overlaps
    the Python work, so they are SQL time, not a share of the wall clock."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    timer = SqlTimer()

    def attach(sender, connection, **kwargs):
        if timer not in connection.execute_wrappers:
            connection.execute_wrappers.append(timer)

    connection_created.connect(attach, weak=False)
    try:
        with connection.execute_wrapper(timer):
            yield timer
    finally:
        connection_created.disconnect(attach)


def raw_group_by(programme_id: int, repeats: int = 3, warm: bool = True) -> tuple[float, int]:
    """(median seconds, rows) of the raw GROUP BY, fetched in full, after one warm-up run
    (none when ``warm`` is false)."""
    from django.db import connection

    times, rows = [], 0
    with connection.cursor() as cursor:
        for attempt in range(repeats + (1 if warm else 0)):
            started = time.perf_counter()
            cursor.execute(RAW_SQL, [programme_id])
            rows = len(cursor.fetchall())
            if attempt or not warm:
                times.append(time.perf_counter() - started)
    return median(times), rows


def aggregate_all(assessment_ids: list[int]) -> tuple[float, SqlTimer]:
    """Seconds to aggregate every given assessment, the way exports do: ``assessment_reports``
    over them all (a fixed batch of queries per chunk), the reports consumed one by one."""
    from assessments.models import Assessment
    from reports.aggregation import assessment_reports
    from reports.aggregation.disclosure import memo_clear

    memo_clear()  # cold, as a worker's first export of the programme: no result remembered
    with sql_timed() as timer:
        started = time.perf_counter()
        assessments = Assessment.objects.select_related("programme__framework").filter(
            pk__in=assessment_ids
        )
        for _ in assessment_reports(assessments=assessments.iterator(chunk_size=500)):
            pass
        seconds = time.perf_counter() - started
    return seconds, timer


def profile_sample(assessment_ids: list[int]) -> dict:
    """Profile ``assessment_reports`` over a few assessments: shares of time per bucket and
    the functions with the most time of their own."""
    from assessments.models import Assessment
    from reports.aggregation import assessment_reports
    from reports.aggregation.disclosure import memo_clear

    assessments = list(
        Assessment.objects.select_related("programme__framework").filter(pk__in=assessment_ids)
    )
    memo_clear()  # profile the cold path, as the timed runs meet it
    profiler = cProfile.Profile()
    with sql_timed() as timer:
        profiler.enable()
        list(assessment_reports(assessments=assessments))
        profiler.disable()
    stats = pstats.Stats(profiler).stats
    # A generator's cumulative time is spread over its resumptions: the sum is its total.
    total = sum(
        ct for (f, _, name), (_, _, _, ct, _) in stats.items() if name == "assessment_reports"
    )
    shares = {}
    for label, path, function in BUCKETS:
        owned = sum(
            ct
            for (f, _, name), (_, _, _, ct, callers) in stats.items()
            if f.endswith(path)
            and (function is None or name == function)
            and not any(c[0].endswith(path) for c in callers)
        )
        shares[label] = round(owned / total, 3) if total else None
    top = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:12]
    return {
        "assessments": len(assessments),
        "profiled_seconds": round(total, 3),
        "sql_statements": timer.count,
        "sql_seconds_while_profiled": round(timer.seconds, 3),
        "share_of_time": shares,
        "top_own_time": [
            {
                "function": f"{_short(f)}:{line}({name})",
                "calls": calls,
                "own_s": round(tt, 3),
                "cumulative_s": round(ct, 3),
            }
            for (f, line, name), (_, calls, tt, ct, _) in top
        ],
    }


def _short(path: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def aggregation_measure(*, cohort, profile_size: int, runs: int = RUNS) -> Figure:
    """Aggregate every assessment and run the raw GROUP BY, alternately, ``runs`` times each
    (which goes first alternates too, to cancel drift); the figure is the ratio of medians,
    with the mins and their ratio beside it."""
    ids = cohort.assessment_ids
    raw_group_by(cohort.programme_id, repeats=1)  # warm the buffers
    aggregate_all(ids[:3])  # warm the ORM's and the templates' caches
    raw_times, times, timers, raw_rows = [], [], [], 0
    for index in range(runs):
        for kind in (("raw", "subject"), ("subject", "raw"))[index % 2]:
            if kind == "raw":
                seconds, raw_rows = raw_group_by(cohort.programme_id, repeats=1, warm=False)
                raw_times.append(seconds)
            else:
                seconds, timer = aggregate_all(ids)
                times.append(seconds)
                timers.append(timer)
    repeats = repeated(times, raw_times, higher_is_better=False)
    seconds, raw_seconds = repeats["subject"]["median"], repeats["baseline"]["median"]
    share = repeats["ratio_median"]
    sql_seconds = median([t.seconds for t in timers])
    details = {
        "assessments": len(ids),
        "repeated": repeats,
        "per_assessment_ms": round(1000 * seconds / len(ids), 2),
        "queries": timers[0].count,
        "queries_per_assessment": round(timers[0].count / len(ids), 2),
        "sql_seconds": round(sql_seconds, 3),
        "sql_share": round(sql_seconds / seconds, 3) if seconds else None,
        "sql_ratio_to_raw": round(sql_seconds / raw_seconds, 2) if raw_seconds else None,
        "raw_group_by_rows": raw_rows,
        "raw_group_by_sql": " ".join(RAW_SQL.split()),
    }
    passed = share is not None and share <= TARGET
    if not passed:
        details["profile"] = profile_sample(ids[:profile_size])
    return Figure(
        key="aggregation.all_assessments",
        label=f"Aggregation: all {len(ids):,} assessments",
        measured=round(seconds, 3),
        unit="s",
        baseline=round(raw_seconds, 4),
        baseline_label="raw SQL GROUP BY",
        ratio=share,
        target=f"<= {TARGET:g} x raw SQL",
        passed=passed,
        details=details,
    )
