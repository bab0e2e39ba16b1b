"""An assessment's report: the SQL sums (``reports.selectors``), shown as disclosure allows.

The queries are fixed in number (programme, statements, response counts, the statement
sums, every response's answer masks, comments) whatever the number of raters or statements,
and grouped by assessment too, so that ``assessment_reports`` serves a chunk of assessments
with the same queries as one. The quality and theme figures are derived from the statement
sums and the masks (``_totals``), not summed again in SQL; Python adds the sums of rater
groups that are shown together, and assembles each result.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby

from django.db import connection

from assessments.models import RaterGroup
from config.collector import cycle_collection_held, set_aside_returned
from framework.models import Statement
from reports import selectors

from .disclosure import (
    ALL,
    ALONE,
    ANONYMOUS_GROUPS,
    COMPLEMENT,
    FEW_RATED,
    FEW_RESPONSES,
    IN_ALL,
    MERGED,
    POOL,
    POOLED,
    Rater,
    UnitPlan,
    plan_units,
    protect_theme,
)
from .results import (
    AssessmentReport,
    Figures,
    GroupFigures,
    GroupPlacement,
    QualityResult,
    Scores,
    StatementResult,
    ThemeComments,
    ThemeResult,
)

GROUP_LABELS = {
    ALL: "All raters",
    RaterGroup.LINE_MANAGER: "Line manager",
    RaterGroup.PEER: "Peers",
    RaterGroup.DIRECT_REPORT: "Direct reports",
    RaterGroup.OTHER: "Others (partners, community, people who use services)",
    POOL: "Other raters",
}
SCOPE_NOUNS = {"statement": "this statement", "quality": "this quality", "theme": "this theme"}
NO_FIGURES = Figures()
LINE_MANAGER, SELF = (RaterGroup.LINE_MANAGER,), (RaterGroup.SELF,)
EVERYONE = LINE_MANAGER + ANONYMOUS_GROUPS  # All raters: never self
CHUNK = 200  # assessments per batch of queries in ``assessment_reports``: bounded memory


def assessment_report(*, assessment) -> AssessmentReport:
    """Every theme of one assessment, with what may be shown and why the rest is not."""
    (report,) = _reports(assessments=[assessment], theme=None)
    return report


def assessment_reports(*, assessments) -> Iterator[AssessmentReport]:
    """``assessment_report`` for each of ``assessments``, in their order, computed in chunks.

    Each chunk's sums come from the same fixed handful of queries as one report's, grouped by
    assessment as well, so aggregating a programme costs a few queries per chunk rather than
    per assessment; the reports are those ``assessment_report`` returns (the same code).

    On PostgreSQL outside a transaction (each query then reads its own snapshot anyway), the
    next chunk's queries run on a second connection in a thread while this chunk's reports
    are built: the database works while Python does (``_prefetching``).
    """
    assessments = list(assessments)
    # framework id -> its statements, read once for the whole call
    statements: dict[int, list[Statement]] = {}
    chunks = [assessments[start : start + CHUNK] for start in range(0, len(assessments), CHUNK)]
    if len(chunks) > 1 and _prefetch_allowed():
        # Nothing overlaps the first chunk's queries: a small first chunk starts the
        # pipeline sooner (its reports are built while the next, full chunk is read).
        first = max(1, CHUNK // 4)
        chunks = [assessments[:first]] + [
            assessments[start : start + CHUNK] for start in range(first, len(assessments), CHUNK)
        ]
        batches: Iterator = _prefetching(chunks, statements)
    else:
        batches = (
            (chunk, _fetched(assessments=chunk, theme=None, statements=statements))
            for chunk in chunks
        )
    try:
        for chunk, fetched in batches:
            # The caller gets the chunk's reports with no walk of the collector over them.
            yield from _built(chunk, fetched, theme=None, set_aside=True)
    finally:
        set_aside_returned()


def _prefetch_allowed() -> bool:
    """Whether chunks may be read on a second connection: PostgreSQL in autocommit, where
    the serial path's queries would each see their own snapshot too (a transaction's
    uncommitted rows would be invisible to a second connection, and SQLite's test database
    may be in memory)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _prefetching(chunks, statements) -> Iterator[tuple[list, dict]]:
    """(chunk, its fetched rows) for each chunk, the next chunk's queries running in a
    thread (with its own connection, closed at the end) while the caller builds this one."""

    def fetch(chunk):
        with cycle_collection_held():  # rows by the hundred thousand, none in a cycle
            return _fetched(assessments=chunk, theme=None, statements=statements)

    def close():
        connection.close()  # the thread's own connection

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aggregation-prefetch") as pool:
        try:
            pending = pool.submit(fetch, chunks[0])
            for index, chunk in enumerate(chunks):
                fetched = pending.result()
                if index + 1 < len(chunks):
                    pending = pool.submit(fetch, chunks[index + 1])
                yield chunk, fetched
        finally:
            pool.submit(close).result()


def theme_report(*, assessment, theme) -> ThemeResult:
    """One theme of one assessment (what one theme PDF shows)."""
    if theme.framework_id != assessment.programme.framework_id:
        raise ValueError(f"{theme} is not part of this assessment's framework.")
    (report,) = _reports(assessments=[assessment], theme=theme)
    return report.themes[0]


def reason_text(*, code: str, label: str, kind: str, k: int, everyone: bool = False) -> str:
    """The sentence a report prints where a group's figures are not shown."""
    noun = SCOPE_NOUNS[kind]
    who = f"fewer than {k} raters other than the line manager" if everyone else f"fewer than {k}"
    if code == FEW_RESPONSES:
        return f"{label}: not shown because {who} responded"
    if code == FEW_RATED:
        what = "it" if kind == "statement" else "any of its statements"
        return f"{label}: not shown for {noun} because {who} could observe {what}"
    if code == COMPLEMENT:
        return (
            f"{label}: not shown for {noun}, so that figures withheld elsewhere cannot be "
            "worked out from it"
        )
    return f"{label}: not shown for {noun} because {who} answered it"


def _reports(*, assessments, theme, statements=None) -> list[AssessmentReport]:
    """The reports of ``assessments`` (of one theme, or all), from one batch of queries per
    framework among them: statements, response counts, statement sums, answer masks and
    comments, each grouped by assessment."""
    fetched = _fetched(assessments=assessments, theme=theme, statements=statements)
    return _built(assessments, fetched, theme=theme)


def _fetched(*, assessments, theme, statements=None) -> dict:
    """The rows ``_built`` needs, per framework among ``assessments``: (its assessments,
    its statements, response counts, statement sums, answer masks, comments). Only reads:
    it may run in another thread (``_prefetching``)."""
    statements = {} if statements is None else statements
    by_framework = defaultdict(list)
    for assessment in assessments:
        by_framework[assessment.programme.framework_id].append(assessment)
    fetched = {}
    for framework_id, batch in by_framework.items():
        if framework_id not in statements:
            statements[framework_id] = selectors.framework_statements(
                framework_id=framework_id, theme=theme
            )
        listed = statements[framework_id]
        fetched[framework_id] = (
            batch,
            listed,
            selectors.response_counts(assessments=batch),
            selectors.rating_totals(assessments=batch, level="statement", theme=theme),
            selectors.answer_masks(assessments=batch, statements=listed, groups=None),
            selectors.comment_rows(assessments=batch, theme=theme),
        )
    return fetched


def _built(assessments, fetched, *, theme, set_aside: bool = False) -> list[AssessmentReport]:
    """The reports of ``assessments`` from their ``_fetched`` rows, in their order
    (``set_aside``: see ``config.collector``)."""
    reports: dict[int, AssessmentReport] = {}
    # Acyclic objects by the hundred thousand, alive until the chunk is done.
    with cycle_collection_held(set_aside=set_aside):
        for batch, listed, counts, sums, masks, comments in fetched.values():
            _build_batch(batch, listed, counts, sums, masks, comments, theme, reports)
    return [reports[a.pk] for a in assessments]


def _build_batch(batch, listed, counts, sums, masks, comments, theme, reports) -> None:
    """Build the reports of one framework's ``batch`` into ``reports``, by assessment id."""
    scopes, outline = _scopes(listed), _outline(listed)
    for assessment in batch:
        pk = assessment.pk
        reports[pk] = _build(
            assessment=assessment,
            theme=theme,
            outline=outline,
            counts=counts[pk],
            totals=_totals(sums[pk], masks[pk], scopes),
            masks=[m for m in masks[pk] if m[0] in ANONYMOUS_GROUPS],
            comment_rows=comments[pk],
        )


def _scopes(statements) -> list[tuple[str, int, int, tuple[int, ...]]]:
    """The qualities and themes of ``statements``: (level, id, bit mask of their statements
    in the answer masks, their statements' ids)."""
    scopes = []
    for level in ("quality", "theme"):
        members = defaultdict(list)
        for i, s in enumerate(statements):
            owner = s.quality_id if level == "quality" else s.quality.theme_id
            members[owner].append((i, s.pk))
        for owner, found in members.items():
            mask = sum(1 << i for i, _ in found)
            scopes.append((level, owner, mask, tuple(pk for _, pk in found)))
    return scopes


def _totals(statement_sums, masks, scopes) -> dict[str, dict]:
    """The sums at the three levels, from the statement sums and every response's masks.

    Ratings, sums and sums of squares add up over a scope's statements. The counts of
    respondents and raters are of *distinct* responses, which do not add up: a response
    counts once in a scope when its answered (rated) mask meets the scope's statements.
    A group appears in a scope exactly when one of its responses answered there, as in the
    GROUP BY this replaces.
    """
    # Responses with the same masks count alike: most raters of a group answer alike.
    by_group: dict[str, Counter] = defaultdict(Counter)
    for group, rated, answered in masks:
        by_group[group][(rated, answered)] += 1
    groups = [(group, list(responses.items())) for group, responses in by_group.items()]
    totals = {"statement": statement_sums, "quality": {}, "theme": {}}
    empty: dict = {}
    for level, pk, mask, members in scopes:
        found = {}
        for group, responses in groups:
            respondents = raters = 0
            for (rated, answered), times in responses:
                if answered & mask:
                    respondents += times
                if rated & mask:
                    raters += times
            if not respondents:
                continue
            ratings = total = squares = 0
            for statement in members:
                row = statement_sums.get(statement, empty).get(group)
                if row:
                    ratings += row[2]
                    total += row[3]
                    squares += row[4]
            found[group] = (respondents, raters, ratings, total, squares)
        totals[level][pk] = found
    return totals


def _outline(statements) -> list[tuple]:
    """The themes of ``statements`` as ``_build`` walks them, worked out once per framework:
    (theme, qualities' bits, [(quality, [(statement, id, bit, position)])])."""
    outline = []
    bit = 0
    for _, theme_statements in groupby(statements, key=lambda s: s.quality.theme_id):
        qualities = []
        for _, group in groupby(theme_statements, key=lambda s: s.quality_id):
            listed = []
            for s in group:
                position = (s.quality.theme.order, s.quality.order, s.order)
                listed.append((s, s.pk, bit, position))
                bit += 1
            qualities.append((listed[0][0].quality, listed))
        theme = qualities[0][0].theme
        bits = [[b for _, _, b, _ in listed] for _, listed in qualities]
        outline.append((theme, bits, qualities))
    return outline


def _build(*, assessment, theme, outline, counts, totals, masks, comment_rows):
    """One report from its assessment's prefetched sums (see ``_reports``)."""
    k = assessment.programme.anonymity_threshold
    plan = plan_units(counts=counts, k=k)
    raters = [Rater(group, rated, answered) for group, rated, answered in masks]
    placements, notes = _placements(plan=plan, counts=counts)
    themes = []
    for current, bits, listed_qualities in outline:
        hidden = protect_theme(plan=plan, raters=raters, qualities=bits)
        scores = _Scorer(plan=plan, counts=counts, totals=totals, hidden=hidden)
        qualities = tuple(
            QualityResult(
                quality=quality,
                scores=scores("quality", quality.pk, index),
                statements=tuple(
                    _statement_result(s, position, scores("statement", pk, b))
                    for s, pk, b, position in listed
                ),
            )
            for index, (quality, listed) in enumerate(listed_qualities)
        )
        themes.append(
            ThemeResult(
                theme=current,
                threshold=k,
                scores=scores("theme", current.pk, 0),
                qualities=qualities,
                comments=_comments(assessment, current, comment_rows, counts, k),
                placements=placements,
                notes=notes,
            )
        )
    if theme is not None and not themes:  # a theme without statements
        empty = _Scorer(plan=plan, counts=counts, totals=totals, hidden={})("theme", theme.pk, 0)
        comments = _comments(assessment, theme, comment_rows, counts, k)
        themes.append(ThemeResult(theme, k, empty, (), comments, placements, notes))
    return AssessmentReport(assessment.pk, k, tuple(themes), placements, notes)


class _Scorer:
    """Scores for one scope of one theme: the SQL sums of the groups shown, or the reason.

    ``totals``: per level, per scope id, per rater group, the row of sums ``Figures`` takes.
    The groups each displayed row adds up are worked out once per theme, not per scope.
    """

    def __init__(self, *, plan: UnitPlan, counts, totals, hidden):
        self.plan, self.counts, self.totals, self.hidden = plan, counts, totals, hidden
        self.with_manager = bool(counts.get(RaterGroup.LINE_MANAGER))
        self.with_self = bool(counts.get(RaterGroup.SELF))
        self.everyone = EVERYONE if self.with_manager else ANONYMOUS_GROUPS
        self.units = [(unit.key, GROUP_LABELS[unit.key], unit.members) for unit in plan.units]

    def __call__(self, level: str, pk: int, index: int) -> Scores:
        sums = self.totals[level].get(pk, _EMPTY)
        hidden = self.hidden
        scope = (level, index)
        if hidden and (ALL, scope) in hidden:
            all_raters = self._reason(ALL, ALL_LABEL, level, hidden[(ALL, scope)])
        else:
            all_raters = _group_figures(ALL, ALL_LABEL, _added(sums, self.everyone))
        groups = []
        for key, label, members in self.units:
            code = hidden.get((key, scope)) if hidden else None
            if code is not None:
                groups.append(self._reason(key, label, level, code))
            elif len(members) == 1:
                row = sums.get(members[0])
                groups.append(
                    _group_figures(key, label, NO_FIGURES if row is None else _figures(row))
                )
            else:
                groups.append(_group_figures(key, label, _added(sums, members)))
        line_manager = None
        if self.with_manager:
            row = sums.get(RaterGroup.LINE_MANAGER)
            figures = NO_FIGURES if row is None else _figures(row)
            line_manager = _group_figures(RaterGroup.LINE_MANAGER, "Line manager", figures)
        self_figures = None
        if self.with_self:
            row = sums.get(RaterGroup.SELF)
            self_figures = NO_FIGURES if row is None else _figures(row)
        return _scores(self_figures, all_raters, line_manager, tuple(groups))

    def _reason(self, key, label, level, code) -> GroupFigures:
        text = reason_text(code=code, label=label, kind=level, k=self.plan.k, everyone=key == ALL)
        return GroupFigures(key, label, None, text)


# The result objects below are made by filling the new instance's ``__dict__`` rather than
# through the frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field): a few
# hundred per assessment. The same objects: equal, same hash and repr (a test in
# ``test_aggregation_batch.py`` checks it, and fails if a field is added).
_new = object.__new__
_EMPTY: dict = {}
ALL_LABEL = GROUP_LABELS[ALL]


def _figures(row) -> Figures:
    """``Figures(*row)``."""
    figures = _new(Figures)
    made = figures.__dict__
    made["respondents"], made["n"], made["ratings"], made["total"], made["total_of_squares"] = row
    return figures


def _group_figures(key, label, figures) -> GroupFigures:
    """``GroupFigures(key, label, figures)``, shown."""
    group = _new(GroupFigures)
    made = group.__dict__
    made["key"], made["label"], made["figures"], made["reason"] = key, label, figures, ""
    return group


def _scores(self_figures, all_raters, line_manager, groups) -> Scores:
    """``Scores(self_figures, all_raters, line_manager, groups)``."""
    scores = _new(Scores)
    made = scores.__dict__
    made["self_figures"], made["all_raters"] = self_figures, all_raters
    made["line_manager"], made["groups"] = line_manager, groups
    return scores


def _statement_result(statement, position, scores) -> StatementResult:
    """``StatementResult(statement, position, scores)``."""
    result = _new(StatementResult)
    made = result.__dict__
    made["statement"], made["position"], made["scores"] = statement, position, scores
    return result


def _added(sums, groups) -> Figures:
    """The figures of ``groups`` in one scope: their rows of sums added up, as integers
    (their raters are disjoint)."""
    found = None
    for group in groups:
        row = sums.get(group)
        if row is None:
            continue
        if found is None:
            found = row
        else:
            a, b = found, row
            found = (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4])
    return NO_FIGURES if found is None else _figures(found)


def _placements(*, plan: UnitPlan, counts) -> tuple[tuple[GroupPlacement, ...], tuple[str, ...]]:
    k = plan.k
    placements = []
    for p in plan.placements:
        label = GROUP_LABELS[p.group]
        if p.how == ALONE:
            note = f"{label}: {counts[p.group]} responses, shown on their own"
        elif p.how == POOLED:
            note = f"{label}: fewer than {k} responses; included in Other raters"
        elif p.how == IN_ALL and plan.anonymous_shown:
            note = f"{label}: fewer than {k} responses; included in All raters"
        elif p.how == IN_ALL:
            note = f"{label}: fewer than {k} responses; not shown"
        elif p.how == MERGED and p.unit:
            note = (
                f"{label}: included in Other raters, so that smaller groups' figures cannot "
                "be worked out by subtraction"
            )
        else:
            note = (
                f"{label}: included in All raters only, so that smaller groups' figures "
                "cannot be worked out by subtraction"
            )
        placements.append(GroupPlacement(p.group, label, p.how, note))
    notes = [p.note for p in placements]
    if not plan.anonymous_shown:
        notes.append(
            f"All raters: not shown because fewer than {k} raters other than the line "
            "manager responded"
        )
    if counts.get(RaterGroup.LINE_MANAGER):
        notes.insert(0, "Line manager: shown as the line manager's ratings, as the form told them")
    return tuple(placements), tuple(notes)


def _comments(assessment, theme, rows, counts, k) -> ThemeComments:
    """Anonymous raters' comments pooled and unattributed, shown only when >= k anonymous
    raters (not self, not the line manager) responded; the line manager's apart, as theirs
    (PRODUCT.md, promise 4).

    Their order is a hash of the assessment, theme and text: fixed for a report, and
    unrelated to who wrote them or when.
    """

    def order(text):
        return hashlib.sha256(f"{assessment.pk}:{theme.pk}:{text}".encode()).hexdigest(), text

    texts = [(group, text) for theme_id, group, text in rows if theme_id == theme.pk]
    own = tuple(t for g, t in texts if g == RaterGroup.SELF and t.strip())
    manager = tuple(t for g, t in texts if g == RaterGroup.LINE_MANAGER and t.strip())
    others = sorted((t for g, t in texts if g in ANONYMOUS_GROUPS and t.strip()), key=order)
    raters = sum(counts.get(group, 0) for group in ANONYMOUS_GROUPS)
    if raters >= k:
        return ThemeComments(shown=True, comments=tuple(others), own=own, line_manager=manager)
    reason = (
        f"Other raters' comments are not shown because fewer than {k} raters other than "
        "your line manager responded"
    )
    return ThemeComments(shown=False, comments=(), own=own, reason=reason, line_manager=manager)
