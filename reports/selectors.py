"""Reads for reports: the sums a report is computed from, each in one query.

Every figure comes out of SQL aggregates (Count, Sum) over the ratings table, grouped by
rater group and scope, so the number of queries per report is fixed whatever the number of
raters or statements. The sample standard deviation needs only the count, the sum and the
sum of squares, which every database can add up (SQLite has no STDDEV).
"""

from django.db.models import BigIntegerField, Case, Count, F, Q, Sum, Value, When

from assessments.models import RaterGroup, Rating, Response, ThemeComment
from framework.models import Statement

# Where a rating's statement, quality and theme are, seen from the ratings table.
SCOPE_FIELDS = {
    "statement": "statement_id",
    "quality": "statement__quality_id",
    "theme": "statement__quality__theme_id",
}
ANONYMOUS_GROUPS = (RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.OTHER)


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


def response_counts(*, assessment) -> dict[str, int]:
    """Submitted responses per rater group (self included)."""
    rows = (
        Response.objects.filter(assessment=assessment)
        .values("rater_group")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["rater_group"]: row["count"] for row in rows}


def _ratings(*, assessment, theme):
    ratings = Rating.objects.filter(response__assessment=assessment)
    if theme is not None:
        ratings = ratings.filter(statement__quality__theme=theme)
    return ratings


def rating_totals(*, assessment, level: str, theme=None) -> dict[tuple[str, int], tuple]:
    """Per (rater group, scope id) at ``level`` (statement, quality or theme): the tuple
    (respondents, raters, ratings, sum, sum of squares).

    Respondents answered at least one statement in scope (a rating or "Not observed"); raters
    gave at least one rating. Both count distinct responses, so a quality's n is the number
    of raters, not of ratings.
    """
    rated = Q(value__isnull=False)
    rows = (
        _ratings(assessment=assessment, theme=theme)
        .values("response__rater_group", SCOPE_FIELDS[level])
        .annotate(
            respondents=Count("response", distinct=True),
            raters=Count("response", distinct=True, filter=rated),
            ratings=Count("value"),
            total=Sum("value"),
            total_of_squares=Sum(F("value") * F("value")),
        )
        .order_by()
    )
    return {
        (row["response__rater_group"], row[SCOPE_FIELDS[level]]): (
            row["respondents"],
            row["raters"],
            row["ratings"],
            int(row["total"] or 0),
            int(row["total_of_squares"] or 0),
        )
        for row in rows
    }


def answer_masks(*, assessment, statements) -> list[tuple[str, int, int]]:
    """For each anonymous response: (rater group, rated mask, answered mask).

    Bit i of a mask stands for ``statements[i]``: set in "answered" when the response has a
    rating row for it, in "rated" when that row has a value (not "Not observed"). This is
    all that disclosure control needs to know about who answered what; the list is sorted,
    so its order carries nothing about the responses.
    """
    if not statements:
        return []
    bit = Case(
        *[When(statement_id=s.pk, then=Value(1 << i)) for i, s in enumerate(statements)],
        default=Value(0),
        output_field=BigIntegerField(),
    )
    rows = (
        _ratings(assessment=assessment, theme=None)
        .filter(
            response__rater_group__in=ANONYMOUS_GROUPS,
            statement_id__in=[s.pk for s in statements],
        )
        .values("response_id", "response__rater_group")
        .annotate(
            answered=Sum(bit),
            rated=Sum(
                Case(When(value__isnull=False, then=bit), default=Value(0)),
                output_field=BigIntegerField(),
            ),
        )
        .order_by()
    )
    return sorted(
        (row["response__rater_group"], int(row["rated"]), int(row["answered"])) for row in rows
    )


def comment_rows(*, assessment, theme=None) -> list[tuple[int, str, str]]:
    """(theme id, rater group, text) of every comment not redacted."""
    comments = ThemeComment.objects.filter(
        response__assessment=assessment, redacted_at__isnull=True
    )
    if theme is not None:
        comments = comments.filter(theme=theme)
    return list(comments.values_list("theme_id", "response__rater_group", "text"))
