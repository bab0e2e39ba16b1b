"""Reads for reports: the sums a report is computed from, each in one query.

Every figure comes out of SQL aggregates (Count, Sum) over the ratings table, grouped by
assessment, rater group and scope, so the number of queries is fixed whatever the number of
raters, statements or assessments: each function takes a list of assessments and answers
for all of them at once, keyed by assessment id. The sample standard deviation needs only the
count, the sum and the sum of squares, which every database can add up (SQLite has no
STDDEV).
"""

from collections import defaultdict

from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast

from assessments.models import RaterGroup, Rating, Response, ThemeComment
from framework.models import Statement

# Where a rating's statement, quality and theme are, seen from the ratings table.
SCOPE_FIELDS = {
    "statement": "statement_id",
    "quality": "statement__quality_id",
    "theme": "statement__quality__theme_id",
}
ANONYMOUS_GROUPS = (RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.OTHER)
ASSESSMENT = "response__assessment_id"
GROUP = "response__rater_group"


def framework_statements(*, framework_id: int, theme=None) -> list[Statement]:
    """The statements of a framework version (or of one theme) in report order."""
    statements = Statement.objects.filter(quality__theme__framework_id=framework_id)
    if theme is not None:
        statements = statements.filter(quality__theme=theme)
    return list(
        statements.select_related("quality__theme").order_by(
            "quality__theme__order", "quality__order", "order"
        )
    )


def _raw(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the database driver returns them, without
    the ORM's per-value conversion (hundreds of thousands of calls for a programme's sums).
    Only for columns the driver already returns as Python ints and strings; the callers
    convert the sums (``int()``), which PostgreSQL returns as numeric."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ids(assessments) -> list[int]:
    return [a.pk for a in assessments]


def response_counts(*, assessments) -> dict[int, dict[str, int]]:
    """Per assessment id: submitted responses per rater group (self included)."""
    rows = (
        Response.objects.filter(assessment_id__in=_ids(assessments), held=False)
        .values_list("assessment_id", "rater_group")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {a.pk: {} for a in assessments}
    for assessment_id, group, count in rows:
        counts[assessment_id][group] = count
    return counts


def _ratings(*, assessments, theme):
    ratings = Rating.objects.filter(
        response__assessment_id__in=_ids(assessments), response__held=False
    )
    if theme is not None:
        ratings = ratings.filter(statement__quality__theme=theme)
    return ratings


def rating_totals(*, assessments, level: str, theme=None) -> dict[int, dict[int, dict[str, tuple]]]:
    """Per assessment id, per scope id at ``level`` (statement, quality or theme), per rater
    group: the tuple (respondents, raters, ratings, sum, sum of squares).

    Respondents answered at least one statement in scope (a rating or "Not observed"); raters
    gave at least one rating. Both count distinct responses, so a quality's n is the number
    of raters, not of ratings.
    """
    if level == "statement":
        # A response has at most one rating per statement (the one_rating_per_statement
        # constraint), so its distinct responses are its rows: no DISTINCT sort needed.
        respondents, raters = Count("id"), Count("value")
    else:
        respondents = Count("response", distinct=True)
        raters = Count("response", distinct=True, filter=Q(value__isnull=False))
    rows = (
        _ratings(assessments=assessments, theme=theme)
        .values_list(ASSESSMENT, GROUP, SCOPE_FIELDS[level])
        .annotate(
            respondents=respondents,
            raters=raters,
            ratings=Count("value"),
            total=Sum("value"),
            total_of_squares=Sum(F("value") * F("value")),
        )
        .order_by()
    )
    totals: dict[int, dict] = {a.pk: {} for a in assessments}
    for assessment_id, group, scope, respondents, raters, ratings, total, squares in _raw(rows):
        figures = (respondents, raters, ratings, int(total or 0), int(squares or 0))
        totals[assessment_id].setdefault(scope, {})[group] = figures
    return totals


def answer_masks(
    *, assessments, statements, groups=ANONYMOUS_GROUPS
) -> dict[int, list[tuple[str, int, int]]]:
    """Per assessment id, for each response of ``groups`` (None: every group, self and the
    line manager included): (rater group, rated mask, answered mask).

    Bit i of a mask stands for ``statements[i]``: set in "answered" when the response has a
    rating row for it, in "rated" when that row has a value (not "Not observed"). This is
    all that disclosure control needs to know about who answered what, and what the quality
    and theme figures' distinct counts of raters are made from; each list is sorted, so its
    order carries nothing about the responses.
    """
    masks: dict[int, list[tuple[str, int, int]]] = {a.pk: [] for a in assessments}
    if not statements:
        return masks
    bit = _statement_bit(statements)
    ratings = _ratings(assessments=assessments, theme=None).filter(
        statement_id__in=[s.pk for s in statements]
    )
    if groups is not None:
        ratings = ratings.filter(response__rater_group__in=groups)
    rows = (
        ratings.values_list("response_id", ASSESSMENT, GROUP)
        .annotate(
            answered=Sum(bit),
            rated=Sum(
                Case(When(value__isnull=False, then=bit), default=Value(0)),
                output_field=BigIntegerField(),
            ),
        )
        .order_by()
    )
    for _, assessment_id, group, answered, rated in _raw(rows):
        masks[assessment_id].append((group, int(rated), int(answered)))
    for found in masks.values():
        found.sort()
    return masks


def _statement_bit(statements):
    """An expression for 1 << (the rating's statement's index in ``statements``).

    When the statements' ids run consecutively in report order (as a framework version
    loaded from its file has them) the bit is the shift of a subtraction; otherwise a CASE
    over the statements, which costs the database a comparison per statement and row.
    """
    ids = [s.pk for s in statements]
    first = ids[0]
    if len(ids) < 62 and ids == list(range(first, first + len(ids))):
        one = Cast(Value(1), output_field=BigIntegerField())
        shift = Cast(F("statement_id") - first, output_field=IntegerField())  # bigint << int
        return ExpressionWrapper(one.bitleftshift(shift), output_field=BigIntegerField())
    return Case(
        *[When(statement_id=pk, then=Value(1 << i)) for i, pk in enumerate(ids)],
        default=Value(0),
        output_field=BigIntegerField(),
    )


def comment_rows(*, assessments, theme=None) -> dict[int, list[tuple[int, str, str]]]:
    """Per assessment id: (theme id, rater group, text) of every comment not redacted."""
    comments = ThemeComment.objects.filter(
        response__assessment_id__in=_ids(assessments),
        response__held=False,
        redacted_at__isnull=True,
    )
    if theme is not None:
        comments = comments.filter(theme=theme)
    rows = defaultdict(list)
    for assessment_id, *row in comments.values_list(ASSESSMENT, "theme_id", GROUP, "text"):
        rows[assessment_id].append(tuple(row))
    return {a.pk: rows[a.pk] for a in assessments}
