"""Which figures a report may show: the anonymity promise (PRODUCT.md) made checkable.

The promise: the line manager is shown as such; every other rater is anonymous; a rater
group other than Self and Line manager is shown on its own only with at least k responses,
smaller groups are pooled into "Other raters", a pool under k appears only inside "All
raters"; and every set of raters whose figures can be computed by adding and subtracting
displayed figures has 0 or at least k members (Self and Line manager excepted), per
statement too. This module decides what is shown; it sees only who answered what, never
the values, and the rest of ``reports.aggregation`` fills in the numbers it allows.

Step 1 - display units (``plan_units``), per assessment, from response counts
    Peers, direct reports and others with >= k responses are units of their own. Smaller
    groups are pooled; a pool with >= k responses is the unit "Other raters". A pool with
    1..k-1 responses could be computed as All raters - line manager - units, so the
    smallest unit is merged into it (the pool then has >= k). A pool holding every
    anonymous rater is All raters itself and is not shown twice. If fewer than k anonymous
    raters (everyone but self and the line manager) responded at all, nothing built from
    their answers is shown, not even All raters. Afterwards the units partition the
    anonymous raters exactly: no remainder exists to be computed by subtraction.

The model behind step 2
    The line manager's and the leader's own ratings are identified anyway, so we subtract
    them: "All raters" stands for the anonymous raters. A *cell* is (unit, statement): no
    aggregate splits one, so cells are the finest pieces anything can be computed about.
    Every aggregate (a unit or All raters, for a statement, a quality or the theme) is a
    set of cells, and each figure it shows - number of answers, of ratings, sum and sum
    of squares (so mean and spread) - is a sum over its cells. What can be computed by
    adding and subtracting shown figures, with any coefficients, is exactly the *linear
    span* of the shown aggregates' 0/1 vectors over the rationals; the figures of a set
    of cells T can be computed iff T's indicator vector lies in it. (Coefficients in
    {-1, 0, 1} are a special case; a result with mixed signs, such as one group's sum
    minus another's, is not the figures of any set of raters.) A cell where everyone
    answered "Not observed" adds nothing to the rating figures, so its coefficient does
    not matter and it is left out; likewise cells without answers for the "Not observed"
    counts. So every check runs twice: with the people who *rated* in each cell, over
    cells holding ratings, and with the people who *answered*, over cells holding answers.

    The promise then reads: no T in the span has 1..k-1 people behind it. ``exposed_cells``
    decides this exactly. T's people include each of its cells' people, so such a T is
    made of *sensitive* cells (1..k-1 people each). Numbering the other cells first, the
    vectors of the span that vanish outside the sensitive cells have an echelon basis
    (``Span.rows_from``), and ``small_zero_one_vector`` searches every 0/1 combination of
    it, dropping a branch once it is not 0/1 or reaches k people. The n at quality and
    theme level counts *distinct* raters, which does not add up across statements, so it
    combines with nothing; and each shown aggregate's own n is 0 or >= k (primary rule).

Step 2 - suppression (``protect_theme``), per theme
    Primary: an aggregate with 1..k-1 people who rated (or answered) in it is hidden. With
    a single unit, the unit is All raters minus the line manager: it follows All raters.
    Complementary, per quality: while ``exposed_cells`` finds a revealed set T, hide one
    more shown aggregate. Candidates are the aggregates some derivation of T uses (T is
    not derivable without them, or they are themselves derivable from the rest). We
    prefer, in order: a group's statement figures, a group's quality figure, All raters'
    statement figures, All raters' quality figure; within that, one whose removal alone
    makes T underivable, one in T's statement, the one with fewest raters. The usual
    outcome for a group where only some could observe a statement is a rectangle: two
    groups x two statements hidden, while both groups' quality and theme figures and All
    raters' figures stay - the classic complementary cell suppression pattern.

    The theme level: a theme figure equal to the sum of its shown quality figures adds
    nothing to the span. Otherwise it is added only if ``exposed_cells`` over the whole
    theme (all its cells and shown aggregates) finds nothing.

No sensitive cell (the fast path of ``protect_theme``)
    When every cell of a theme has 0 or at least k people behind it, both who rated and who
    answered, and anonymous raters are shown at all, step 2 hides nothing, so
    ``protect_theme`` returns {} without building the cells (``sensitive_cells`` counts
    them from the masks). The full path would give the same: every aggregate is a union of
    cells, and a union of cells each with 0 or >= k people has 0 or >= k, so no primary
    rule fires, at statement, quality or theme level; every complementary round asks
    ``exposed_cells``, whose revealed set T must be made of sensitive cells (above), and
    there are none (``cell_layout`` is None, so it is not even asked); and the theme level
    adds its figures when no quality figure is hidden. The single-unit mirror copies
    nothing from nothing. The same holds quality by quality inside the full path: a quality
    none of whose cells is sensitive hides nothing in step 2 (its aggregates are unions of
    its cells, and a revealed set within it would be made of its sensitive cells), so
    ``_protect_theme`` skips it. ``tests/reports/test_disclosure_fast_path.py`` checks the two
    paths agree on random compositions.

Why the result keeps the promise
    Each quality's shown aggregates pass the exact check. Qualities have disjoint cells
    and no aggregate spans two of them except theme figures, which are either sums of
    shown quality figures (so the span is the direct sum of the qualities' spans: a 0/1
    vector in it is a 0/1 vector in each quality's span, each with 0 or >= k people, so
    their union has 0 or >= k) or were checked over the whole theme. Themes share no
    cells and nothing aggregates across themes. Step 1 means no group under k is ever a
    unit, and no remainder of raters is left outside the units. Each round hides one
    more aggregate, so the loop ends; hiding everything would pass, so it always can.
    The tests check results independently: brute force over {-1, 0, 1} combinations per
    scope, and an exact rank test over cross-level combinations.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assessments.models import RaterGroup

from .span import RemovalEffects, Span, small_zero_one_vector

ANONYMOUS_GROUPS = tuple(
    g.value for g in (RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.OTHER)
)
ALL = "all"  # the row key of All raters
POOL = "other_raters"  # the unit key of the pool of small groups

# Why an aggregate is hidden.
FEW_RESPONSES = "few_responses"  # fewer than k anonymous raters responded at all
FEW_RATED = "few_rated"  # 1..k-1 raters could observe (rated) it
FEW_ANSWERED = "few_answered"  # 1..k-1 raters answered it
COMPLEMENT = "complement"  # hidden so that hidden figures cannot be worked out

# How a rater group is shown (``Placement.how``).
ALONE = "alone"
POOLED = "pooled"  # under k: inside Other raters
IN_ALL = "in_all"  # under k and the pool under k: only inside All raters
MERGED = "merged"  # >= k, merged into the pool so that the pool reaches k


@dataclass(frozen=True)
class Unit:
    """A displayed group: one rater group, or the pool "Other raters"."""

    key: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Placement:
    group: str
    how: str
    unit: str | None  # the key of the unit it is shown in; None: only inside All raters


@dataclass(frozen=True)
class UnitPlan:
    k: int
    anonymous: int  # anonymous responses (peers, direct reports, others)
    units: tuple[Unit, ...]
    placements: tuple[Placement, ...]

    @property
    def anonymous_shown(self) -> bool:
        return self.anonymous == 0 or self.anonymous >= self.k

    def unit_index(self, group: str) -> int | None:
        return next((i for i, u in enumerate(self.units) if group in u.members), None)


def plan_units(*, counts: Mapping[str, int], k: int) -> UnitPlan:
    """Step 1: which groups are shown alone, pooled or only inside All raters."""
    sizes = {g: counts.get(g, 0) for g in ANONYMOUS_GROUPS}
    anonymous = sum(sizes.values())
    alone = [g for g in ANONYMOUS_GROUPS if sizes[g] >= k]
    small = [g for g in ANONYMOUS_GROUPS if 0 < sizes[g] < k]
    merged = []
    if anonymous < k:
        alone, small = [], [g for g in ANONYMOUS_GROUPS if sizes[g]]
    elif small and sum(sizes[g] for g in small) < k:
        # The pool is computable by subtraction: merge the smallest unit into it.
        smallest = min(alone, key=lambda g: (sizes[g], ANONYMOUS_GROUPS.index(g)))
        alone.remove(smallest)
        merged = [smallest]
    pool = [g for g in ANONYMOUS_GROUPS if g in small or g in merged]
    # A pool holding every anonymous rater is All raters itself: not shown twice.
    pool_shown = anonymous >= k and bool(pool) and bool(alone)
    units = [Unit(g, (g,)) for g in alone]
    if pool_shown:
        units.append(Unit(POOL, tuple(pool)))
    placements = []
    for g in ANONYMOUS_GROUPS:
        if g in alone:
            placements.append(Placement(g, ALONE, g))
        elif g in pool:
            how = MERGED if g in merged else POOLED if pool_shown else IN_ALL
            placements.append(Placement(g, how, POOL if pool_shown else None))
    return UnitPlan(k, anonymous, tuple(units), tuple(placements))


@dataclass(frozen=True)
class Rater:
    """One anonymous response: its group and bit masks of the statements it rated/answered."""

    group: str
    rated: int
    answered: int


# A scope: ("statement", bit), ("quality", index) or ("theme", 0); a row: ALL or a unit key.
Scope = tuple[str, int]
THEME: Scope = ("theme", 0)
LEVELS = {"statement": 0, "quality": 1, "theme": 2}


def exposed_cells(aggregates, people: Mapping, k: int, layout=None) -> frozenset | None:
    """A set of cells derivable from ``aggregates`` (cell sets) with 1..k-1 people behind it.

    ``people`` maps each cell to who stands behind it (rated, or answered), as a bit mask of
    people (bit i: person i); ``layout`` is ``cell_layout(people, k)`` when the caller keeps
    it between calls. See the module docstring for why this search is exact.
    """
    layout = cell_layout(people, k) if layout is None else layout
    if layout is None:
        return None
    column = layout[1]
    return _exposed_masks([_mask(cells, column) for cells in aggregates], layout, k)


def _mask(cells, column: Mapping) -> int:
    """The vector of a set of cells as a bit mask of ``column``'s numbers (bit i: column i);
    cells without a column are left out."""
    mask = 0
    for c in cells:
        i = column.get(c)
        if i is not None:
            mask |= 1 << i
    return mask


def _bits(mask: int) -> list[int]:
    """The numbers of the bits set in ``mask``, lowest first."""
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


def _exposed_masks(masks, layout, k: int) -> frozenset | None:
    """``exposed_cells`` of aggregates given as bit masks of ``layout``'s columns.

    Aggregates are 0/1 vectors, so they travel as bit masks. The span's part that is zero
    on the columns before the sensitive ones depends only on the pattern of the masks:
    after ``_without_lone_columns``, with the columns left numbered 0, 1, ... in order, few
    patterns occur (390 among the 11,042 checks of 1,000 generated assessments), so its
    echelon rows are worked out once per pattern (``_zero_before``). Only the search for
    a small set reads who stands behind the columns.
    """
    order, _, first_sensitive, weights = layout
    masks = _without_lone_columns([m for m in masks if m], first_sensitive)
    union = 0
    for m in masks:
        union |= m
    if not union >> first_sensitive:
        return None  # eliminating vectors without sensitive cells yields none either
    columns = _bits(union)
    place = {c: 1 << i for i, c in enumerate(columns)}
    pattern = sorted({sum(place[c] for c in _bits(m)) for m in masks})
    rows = _zero_before(tuple(pattern), sum(1 for c in columns if c < first_sensitive))
    found = small_zero_one_vector(rows, [weights[c] for c in columns], k) if rows else None
    return frozenset(order[columns[i]] for i in found) if found else None


@lru_cache(maxsize=4096)
def _zero_before(pattern: tuple[int, ...], first: int) -> list:
    """The echelon rows (``Span.rows_from``) of the vectors in the span of ``pattern`` (0/1
    vectors as bit masks) that are zero on the columns before ``first``; shared, read only."""
    return Span(dict.fromkeys(_bits(m), 1) for m in pattern).rows_from(first)


def _without_lone_columns(masks: list[int], first_sensitive: int) -> list[int]:
    """``masks`` with each column before ``first_sensitive`` dropped where some vector is
    along that column alone (a shown cell's own figure), repeated until none is, and empty
    vectors left out.

    The vectors of the span that are zero on the columns before ``first_sensitive`` stay
    the same, so ``_exposed_masks`` finds the same set, from a smaller elimination: with
    e_c in the span, such a vector's part on the other columns is a combination of the
    other vectors without column c, and any such combination plus a multiple of e_c is one
    (it is zero at c already, since c comes before ``first_sensitive``).
    """
    before = (1 << first_sensitive) - 1
    while True:
        lone = 0
        for m in masks:
            if m & before and not m & (m - 1):  # one column, not a sensitive one
                lone |= m
        if not lone:
            return masks
        masks = [kept for m in masks if (kept := m & ~lone)]


def cell_layout(people: Mapping, k: int):
    """How ``exposed_cells`` numbers the cells with someone behind them: the others first,
    then the sensitive ones (1..k-1 people). None when no cell is sensitive, so nothing can
    be exposed."""
    active = {c for c, p in people.items() if p}
    sensitive = sorted(c for c in active if people[c].bit_count() < k)
    if not sensitive:
        return None
    order = sorted(active - set(sensitive)) + sensitive
    column = {c: i for i, c in enumerate(order)}
    return order, column, len(order) - len(sensitive), [people[c] for c in order]


def protect_theme(
    *, plan: UnitPlan, raters: Sequence[Rater], qualities: Sequence[Sequence[int]]
) -> dict[tuple[str, Scope], str]:
    """Step 2: the aggregates of one theme to hide, each with the reason (a code above).

    ``qualities`` lists, for each quality of the theme, the bits of its statements in the
    raters' masks. Keys are (row, scope) with row ALL or a unit key.

    Memoised per process. The result depends only on the plan, the qualities' bits and the
    multiset of (group, rated, answered) of the raters restricted to the theme's bits: no
    other bit of a mask is read, and people enter only through the sizes of unions of who
    stands behind cells, which no renumbering of the raters changes, so sorting them is a
    canonical form. Equal keys therefore give equal results, whoever the assessment.
    """
    qualities = tuple(tuple(bits) for bits in qualities)
    theme_bits = sum(1 << b for bits in qualities for b in bits)
    if plan.anonymous_shown and not sensitive_cells(plan=plan, raters=raters, bits=theme_bits):
        return {}  # the fast path: see "No sensitive cell" in the module docstring
    canonical = tuple(
        sorted(
            ((r.group, r.rated & theme_bits, r.answered & theme_bits) for r in raters),
        )
    )
    return dict(_protect_theme(plan, canonical, qualities))


def sensitive_cells(*, plan: UnitPlan, raters: Sequence[Rater], bits: int) -> bool:
    """Whether some cell (row, statement) among ``bits`` has 1..k-1 people behind it, who
    rated or who answered: the rows and cells ``_protect_theme`` builds, counted without
    building them.

    For each row, ``at_least[j]`` is the mask of statements that j or more of the row's
    raters have in their mask (for j = 1..k), kept up to date one rater at a time; the
    sensitive statements of the row are those in ``at_least[1]`` but not in ``at_least[k]``.
    """
    k = plan.k
    many = len(plan.units) > 1  # else one row, All raters (as in ``_protect_theme``)
    rows: dict = {}
    for rater in raters:
        row = plan.unit_index(rater.group) if many else None
        for kind, mask in ((0, rater.rated & bits), (1, rater.answered & bits)):
            at_least = rows.setdefault((row, kind), [0] * (k + 1))
            for j in range(k, 1, -1):
                at_least[j] |= at_least[j - 1] & mask
            at_least[1] |= mask
    return any(at_least[1] & ~at_least[k] for at_least in rows.values())


@lru_cache(maxsize=4096)
def _protect_theme(plan: UnitPlan, raters, qualities) -> dict[tuple[str, Scope], str]:
    """``protect_theme`` on its canonical key; callers get a copy of the cached result."""
    k = plan.k
    scopes = [THEME] + [("quality", q) for q in range(len(qualities))]
    scopes += [("statement", b) for bits in qualities for b in bits]
    if not plan.anonymous_shown:
        return {(ALL, scope): FEW_RESPONSES for scope in scopes}
    # With one unit it is All raters itself (minus the line manager): one row of cells.
    rows = [u.key for u in plan.units] if len(plan.units) > 1 else [ALL]
    # Who stands behind each cell, as a bit mask of people (bit i: the i-th rater).
    rated, answered = {}, {}
    for bits in qualities:
        for bit in bits:
            for row in rows:
                rated[(row, bit)] = answered[(row, bit)] = 0
    for person, (group, rated_bits, answered_bits) in enumerate(raters):
        if len(rows) > 1:
            index = plan.unit_index(group)
            # Shown anonymous raters are partitioned by the units (plan_units), so every
            # rater's group is in one of them.
            assert index is not None, f"group {group!r} is in no unit"
            row = rows[index]
        else:
            row = ALL
        me = 1 << person
        for bits in qualities:
            for bit in bits:
                if answered_bits >> bit & 1:
                    answered[(row, bit)] |= me
                if rated_bits >> bit & 1:
                    rated[(row, bit)] |= me
    people = (rated, answered)
    layouts = [cell_layout(weights, k) for weights in people]

    display_rows = [ALL] + (rows if len(rows) > 1 else [])
    cell_sets = _cell_sets(tuple(rows), qualities)

    def cells(row, scope):
        return cell_sets[(row, scope)]

    def primary(aggregate):
        for code, weights in zip((FEW_RATED, FEW_ANSWERED), people, strict=True):
            crowd = 0
            for c in aggregate:
                crowd |= weights[c]
            if 0 < crowd.bit_count() < k:
                return code
        return None

    # The sensitive cells (1..k-1 people who rated, or who answered): a quality without
    # any hides nothing (see "No sensitive cell" in the module docstring, per quality).
    sensitive = {c for layout in layouts if layout is not None for c in layout[0][layout[2] :]}
    hidden: dict[tuple[str, Scope], str] = {}
    for q, bits in enumerate(qualities):
        if not any((row, b) in sensitive for row in rows for b in bits):
            continue
        block = [
            (row, s)
            for row in display_rows
            for s in [("statement", b) for b in bits] + [("quality", q)]
        ]
        _protect_block(block, cells, primary, people, layouts, k, hidden)
    shown_in_theme = [
        key for key in ((r, s) for r in display_rows for s in scopes[1:]) if key not in hidden
    ]
    for row in display_rows:
        key = (row, THEME)
        code = primary(cells(*key))
        if code:
            hidden[key] = code
            continue
        if all((row, ("quality", q)) not in hidden for q in range(len(qualities))):
            shown_in_theme.append(key)  # the sum of its shown quality figures
            continue
        family = [cells(*x) for x in [*shown_in_theme, key]]
        if any(
            layout is not None and exposed_cells(family, weights, k, layout)
            for weights, layout in zip(people, layouts, strict=True)
        ):
            hidden[key] = COMPLEMENT
        else:
            shown_in_theme.append(key)
    if len(plan.units) == 1:  # the single unit mirrors All raters
        unit = plan.units[0].key
        for (_, scope), code in list(hidden.items()):
            hidden[(unit, scope)] = code
    return hidden


@lru_cache(maxsize=256)
def _cell_sets(rows: tuple, qualities: tuple) -> dict:
    """The cells of each (row, scope) of a theme: a function of its rows and its qualities'
    bits only, so shared by every assessment with the same units (read, never changed)."""
    scopes = [THEME] + [("quality", q) for q in range(len(qualities))]
    scopes += [("statement", b) for bits in qualities for b in bits]
    bits_of = {THEME: [b for bits in qualities for b in bits]}
    bits_of.update({("quality", q): bits for q, bits in enumerate(qualities)})
    bits_of.update({("statement", b): [b] for bits in qualities for b in bits})
    display_rows = [ALL] + (list(rows) if len(rows) > 1 else [])
    return {
        (row, scope): frozenset(
            (r, b) for r in (rows if row == ALL else [row]) for b in bits_of[scope]
        )
        for row in display_rows
        for scope in scopes
    }


def _protect_block(block, cells, primary, people, layouts, k, hidden) -> None:
    """Primary and complementary suppression within one quality (see module docstring).

    Each aggregate's vector (over a layout's columns for ``exposed_cells``, over the active
    cells for ``_complement``) is worked out once per quality, not once per round."""
    for key in block:
        code = primary(cells(*key))
        if code:
            hidden[key] = code
    checks: list[tuple] = []
    for weights, layout in zip(people, layouts, strict=True):
        if layout is None:
            continue  # no sensitive cell: nothing to expose
        column = layout[1]
        exposing = {key: _mask(cells(*key), column) for key in block}
        checks.append((weights, layout, exposing, {}))
    while True:
        shown = [key for key in block if key not in hidden]
        for weights, layout, exposing, complementing in checks:
            exposed = _exposed_masks([exposing[key] for key in shown], layout, k)
            if exposed:
                hidden[_complement(shown, exposed, cells, weights, complementing)] = COMPLEMENT
                break
        else:
            return


def _complement(shown, exposed, cells, weights, known=None):
    """The shown aggregate to hide so that ``exposed`` stops being derivable, by preference.

    For each candidate this asks what a span of all the other candidates would say about
    ``exposed`` and about the candidate itself; ``RemovalEffects`` answers that from one
    elimination instead of one ``Span`` per candidate. The answers depend only on the
    candidates' vectors and the target's, so calls with the same ones share them
    (``_shared_removal_effects``). ``known``: a dict the caller keeps between calls with
    the same ``weights`` (the column numbering, the aggregates' vectors and how many
    people stand behind each, which depend on nothing else).
    """
    known = {} if known is None else known
    if "column" not in known:
        active = {c for c, p in weights.items() if p}
        known["column"] = {c: i for i, c in enumerate(sorted(active))}
    column = known["column"]
    target = _mask(exposed, column)
    statements_of_target = {bit for _, bit in exposed}
    vectors = known.setdefault("vectors", {})
    crowds = known.setdefault("crowds", {})
    for key in shown:
        if key not in vectors:
            vectors[key] = _mask(cells(*key), column)
            crowd = 0
            for c in cells(*key):
                crowd |= weights[c]
            crowds[key] = crowd.bit_count()
    candidates = [key for key in shown if vectors[key]]

    def rank(key):
        row, (kind, i) = key
        beside = kind == "statement" and i in statements_of_target
        return (row == ALL, LEVELS[kind], not beside, crowds[key], row, i)

    ranks = {key: rank(key) for key in candidates}
    candidates.sort(key=ranks.__getitem__)
    # (target derivable without it, it derivable from the others) for each candidate,
    # worked out as the preferences below ask for them; equal vectors have equal effects.
    masks = tuple(sorted(vectors[key] for key in candidates))
    effects = _shared_removal_effects(masks, target)
    place = {mask: i for i, mask in enumerate(masks)}
    # By preference (the first two places of the rank, so the sorted candidates come in
    # groups): the first whose hiding alone makes the set underivable, else the first
    # that some derivation of the set uses.
    preference, relevant = None, []
    for key in candidates:
        if ranks[key][:2] != preference:
            if relevant:
                return relevant[0]
            preference = ranks[key][:2]
        without, redundant = effects[place[vectors[key]]]
        if not without:
            return key
        if redundant:
            relevant.append(key)
    if relevant:
        return relevant[0]
    raise AssertionError("a derivable set must use some shown aggregate")


@lru_cache(maxsize=4096)
def _shared_removal_effects(masks: tuple[int, ...], target: int) -> RemovalEffects:
    """``RemovalEffects`` of 0/1 vectors given as bit masks (in a canonical order, so that
    equal families share one), answering lazily; shared, read only."""
    return RemovalEffects(
        [dict.fromkeys(_bits(m), 1) for m in masks], dict.fromkeys(_bits(target), 1)
    )


def memo_clear() -> None:
    """Forget every memoised result of this module: what a process that has aggregated
    nothing yet starts from (the benchmark times that; tests compare against it)."""
    for memo in (_protect_theme, _cell_sets, _zero_before, _shared_removal_effects):
        memo.cache_clear()
