"""The data generator, timed; and the cohorts the other parts of the benchmark run on.

Baseline: COPY of the same ratings into a table with no index, key or constraint, which is
about the fastest PostgreSQL can take these rows (the generator also writes users,
assessments, invitations, responses and comments, and keeps five indexes and two foreign
keys on the ratings table).
"""

import io
import time

from .figures import Figure

TARGET_SECONDS = 60.0
COPY_RATINGS = """
COPY (SELECT rt.response_id, rt.statement_id, rt.value FROM assessments_rating rt
      JOIN assessments_response r ON r.id = rt.response_id
      JOIN assessments_assessment a ON a.id = r.assessment_id
      WHERE a.programme_id = %s) TO STDOUT
"""


def cohort_make(**kwargs):
    from assessments.management.commands.generate_cohort import cohort_generate

    return cohort_generate(**kwargs)


def copy_floor(programme_id: int) -> tuple[float, int]:
    """(seconds, rows) to COPY the programme's ratings into an unindexed table and commit."""
    from django.db import connection, transaction

    buffer = io.StringIO()
    with connection.cursor() as cursor:
        select = cursor.cursor.mogrify(COPY_RATINGS, [programme_id]).decode()
        cursor.cursor.copy_expert(select, buffer)
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_copy_floor "
            "(response_id uuid, statement_id bigint, value smallint)"
        )
        cursor.execute("TRUNCATE bench_copy_floor")
    rows = buffer.getvalue().count("\n")
    buffer.seek(0)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert("COPY bench_copy_floor FROM STDIN", buffer)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy_floor")
    return seconds, rows


def generate_measure(*, leaders: int, raters: int, seed: int):
    """(figure, cohort): the closed programme the aggregation, PDF and E2E parts use."""
    cohort = cohort_make(leaders=leaders, raters=raters, state="closed", seed=seed)
    floor_seconds, rows = copy_floor(cohort.programme_id)
    figure = Figure(
        key="generate.cohort",
        label=f"Generate a closed cohort: {leaders:,} leaders x {raters} raters",
        measured=round(cohort.seconds, 2),
        unit="s",
        baseline=round(floor_seconds, 3),
        baseline_label="COPY ratings, no indexes",
        ratio=cohort.seconds / floor_seconds if floor_seconds else None,
        target=f"< {TARGET_SECONDS:g} s (1,000 leaders)",
        passed=cohort.seconds < TARGET_SECONDS * max(1.0, leaders / 1000),
        details={
            **cohort.counts,
            "ratings_per_s": round(cohort.counts["ratings"] / cohort.seconds),
            "copy_floor_rows": rows,
        },
    )
    return figure, cohort
