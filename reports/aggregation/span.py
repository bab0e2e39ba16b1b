"""Exact linear algebra for disclosure control: which cell sets a family of sums reveals.

Vectors are sparse ``{column: number}`` dicts over the rationals, so no rounding can hide or
invent a dependency. Elimination is fraction-free: a row is a vector of Python integers
divided by their gcd, and reducing by a row scales the vector by the row's pivot before
subtracting, which spans the same rational space as dividing would, without a ``Fraction``
per entry. The matrices involved are small (a theme has at most a few dozen cells and
aggregates), so plain Gaussian elimination is fast enough.
"""

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from math import gcd

Vector = Mapping[int, int]


def _eliminate(rest: dict[int, int], row: dict[int, int], column: int) -> dict[int, int]:
    """``rest`` with ``column`` cancelled by ``row`` (whose pivot is ``column``), over the
    integers: row[column] * rest - rest[column] * row, divided by the gcd of its entries."""
    scale, factor = row[column], rest[column]
    combined = dict(rest) if scale == 1 else {c: scale * v for c, v in rest.items()}
    for c, v in row.items():
        value = combined.get(c, 0) - factor * v
        if value:
            combined[c] = value
        else:
            del combined[c]
    if combined:
        divisor = gcd(*combined.values())
        if divisor > 1:
            combined = {c: v // divisor for c, v in combined.items()}
    return combined


class Span:
    """The rational row space of some vectors, kept in echelon form.

    Each stored row is keyed by its pivot, which is its lowest column, and is an integer
    vector with coprime entries and a positive pivot entry: the rational row of the textbook
    method (pivot 1) times a positive integer. Reducing a vector by the rows in increasing
    pivot order leaves nothing exactly when the vector is a linear combination of the
    vectors added.
    """

    def __init__(self, vectors: Iterable[Vector] = ()):
        self._rows: dict[int, dict[int, int]] = {}
        for vector in vectors:
            self.add(vector)

    def _reduce(self, vector: Vector) -> dict[int, int]:
        rest = {c: v for c, v in vector.items() if v}
        while rest:
            column = min(rest)
            row = self._rows.get(column)
            if row is None:
                return rest
            rest = _eliminate(rest, row, column)
        return rest

    def add(self, vector: Vector) -> None:
        rest = self._reduce(vector)
        if rest:
            pivot = min(rest)
            if rest[pivot] < 0:
                rest = {c: -v for c, v in rest.items()}
            self._rows[pivot] = rest

    def contains(self, vector: Vector) -> bool:
        return not self._reduce(vector)

    def rows_from(self, column: int) -> list[dict[int, Fraction]]:
        """The rows whose pivot is ``column`` or later, by pivot, scaled so that each pivot
        entry is 1 (what ``small_zero_one_vector`` needs).

        When the columns before ``column`` are numbered first, these rows are a basis of the
        vectors in the span that are zero on all of them (a row's pivot is its lowest
        column, and rows with earlier pivots cannot cancel each other there).
        """
        return [
            {c: Fraction(v, self._rows[p][p]) for c, v in self._rows[p].items()}
            for p in sorted(self._rows)
            if p >= column
        ]


class _Indexed:
    """``effects[place[i]]`` for each index ``i`` in ``place``."""

    def __init__(self, place: dict[int, int], effects: "RemovalEffects"):
        self.place, self.effects = place, effects

    def __getitem__(self, i: int) -> tuple[bool, bool]:
        return self.effects[self.place[i]]


class RemovalEffects:
    """For each of ``vectors``, whether ``target`` and the vector itself lie in the span of
    all the *other* vectors: what rebuilding a ``Span`` without each vector in turn would
    say. ``effects[i]`` is (``target`` in the span without vector i, vector i in the span of
    the others), worked out when first asked for: a caller often needs only a few.

    Most vectors in disclosure control are one cell's own figure, a multiple of a single
    column. A column along which exactly one vector lies, outside ``target``, is *lone*.

    Call M the vectors not along a lone column, and R the columns that are not lone.

    - Removing a vector of M leaves every lone e_c, so a vector or ``target`` (zero on the
      lone columns) lies in the span of the others iff its restriction to R lies in the
      span of the other vectors of M restricted to R: the same question, smaller.
    - Removing the lone e_c leaves M and the other lone e_d. e_c lies in their span iff
      some vector in the span of M that is zero on R is nonzero at c; with the lone
      columns numbered after R, those vectors are spanned by the echelon rows of M with a
      pivot among the lone columns. Otherwise every way of matching ``target`` on R with
      the span of M gives the same value at c, found by reducing ``target`` by the rows
      with a pivot in R; ``target`` lies in the span of the others iff that value is 0.

    Without lone columns, one elimination answers for every vector (``_removal_effects``).
    """

    def __init__(self, vectors: Sequence[Vector], target: Vector):
        self.vectors = [{c: v for c, v in vector.items() if v} for vector in vectors]
        self.target = {c: v for c, v in target.items() if v}
        along: dict[int, int] = {}
        for vector in self.vectors:
            if len(vector) == 1:
                (c,) = vector
                along[c] = along.get(c, 0) + 1
        self.lone = {c for c, times in along.items() if times == 1 and c not in self.target}
        self._rest: Sequence[tuple[bool, bool]] | _Indexed | None = None
        self._lone: tuple[set, dict, bool, int] | None = None

    def __len__(self) -> int:
        return len(self.vectors)

    def __getitem__(self, i: int) -> tuple[bool, bool]:
        vector = self.vectors[i]
        if len(vector) == 1 and next(iter(vector)) in self.lone:
            return self._lone_effect(next(iter(vector)))
        if self._rest is None:
            self._rest = self._rest_effects()
        return self._rest[i]

    def _rest_effects(self) -> Sequence[tuple[bool, bool]] | _Indexed:
        """The effects of the vectors of M, by their index among all vectors."""
        if not self.lone:
            return _removal_effects(self.vectors, self.target)
        lone = self.lone
        kept = [i for i, v in enumerate(self.vectors) if not (len(v) == 1 and min(v) in lone)]
        smaller = RemovalEffects(
            [{c: v for c, v in self.vectors[i].items() if c not in lone} for i in kept],
            self.target,
        )
        place = {i: n for n, i in enumerate(kept)}
        return _Indexed(place, smaller)

    def _lone_effect(self, column: int) -> tuple[bool, bool]:
        if self._lone is None:
            lone = self.lone
            width = 1 + max(max(v) for v in (*self.vectors, self.target) if v)
            span = Span(
                {(width + c if c in lone else c): v for c, v in vector.items()}
                for vector in self.vectors
                if not (len(vector) == 1 and min(vector) in lone)
            )
            rows = span._rows
            spanned = {c - width for pivot, row in rows.items() if pivot >= width for c in row}
            rest, outside = dict(self.target), False
            while rest and (pivot := min(rest)) < width:
                row = rows.get(pivot)
                if row is None:
                    outside = True  # ``target`` is not in the span at all
                    break
                rest = _eliminate(rest, row, pivot)
            self._lone = (spanned, rest, outside, width)
        spanned, rest, outside, width = self._lone
        dependent = column in spanned
        return (not outside and (dependent or width + column not in rest), dependent)


def removal_effects(vectors: Sequence[Vector], target: Vector) -> list[tuple[bool, bool]]:
    """Every vector's ``RemovalEffects`` at once."""
    effects = RemovalEffects(vectors, target)
    return [effects[i] for i in range(len(effects))]


def _removal_effects(vectors: Sequence[Vector], target: Vector) -> list[tuple[bool, bool]]:
    """``removal_effects`` from one elimination.

    The vectors are reduced with their combination tracked, so that each dependent vector
    yields a relation (a combination of the vectors that is zero); these relations are a
    basis of all relations. Vector i lies in the span of the others iff some relation uses
    it. If it does not, the span of the others is the whole span minus i's direction, and
    every way of writing ``target`` gives i the same coefficient: ``target`` lies in the
    span of the others iff that coefficient is 0 (and, if i is in the span of the others,
    iff ``target`` is in the span at all).
    """
    width = 1 + max((max(v) for v in (*vectors, target) if v), default=-1)
    marker = width + len(vectors)  # the combination column of ``target`` itself
    rows: dict[int, dict[int, int]] = {}
    relations = []

    def reduce(rest):
        while True:
            column = min(rest)
            if column >= width:  # the vector part is gone: a relation
                return rest, False
            row = rows.get(column)
            if row is None:
                return rest, True
            rest = _eliminate(rest, row, column)

    for i, vector in enumerate(vectors):
        rest, independent = reduce({**{c: v for c, v in vector.items() if v}, width + i: 1})
        if independent:
            rows[min(rest)] = rest
        else:
            relations.append(rest)
    used = {c - width for relation in relations for c in relation}
    rest, outside = reduce({**{c: v for c, v in target.items() if v}, marker: 1})
    effects = []
    for i in range(len(vectors)):
        dependent = i in used
        if outside:
            reachable = False
        elif dependent:
            reachable = True
        else:
            reachable = width + i not in rest
        effects.append((reachable, dependent))
    return effects


def small_zero_one_vector(
    rows: Sequence[Mapping[int, Fraction]], people: Sequence[int], k: int
) -> frozenset[int] | None:
    """A 0/1 vector in the span of echelon ``rows`` whose columns hold 1..k-1 people.

    ``rows`` have the value 1 at their pivot (``Span.rows_from``). ``people[c]`` is who
    stands behind column ``c``, a bit mask of people (bit i: person i). Returns the columns
    of the first such vector found (its support), or None when there is none. The search
    fixes the value of each pivot column in turn (0 or 1, which fixes that row's
    coefficient); once a pivot is fixed, every column before the next pivot is final, so a
    branch is dropped as soon as a final column is neither 0 nor 1 or the people behind its
    1s reach k.
    """
    if len(rows) == 1 and len(rows[0]) == 1:
        # The commonest case by far (one cell left exposed alone): the search below would
        # try 0 for its only column, then 1, which is a vector if that column's people are.
        (column,) = rows[0]
        return frozenset(rows[0]) if 0 < people[column].bit_count() < k else None
    pivots = [min(row) for row in rows]

    def search(index, vector, ones, crowd):
        if index == len(rows):
            return frozenset(ones) if ones and crowd else None
        pivot, row = pivots[index], rows[index]
        limit = pivots[index + 1] if index + 1 < len(rows) else None
        for value in (0, 1):
            coefficient = value - vector.get(pivot, 0)
            extended = dict(vector)
            if coefficient:
                for c, v in row.items():
                    extended[c] = extended.get(c, 0) + coefficient * v
            final = sorted(c for c in extended if c >= pivot and (limit is None or c < limit))
            if any(extended[c] not in (0, 1) for c in final):
                continue
            more = [c for c in final if extended[c] == 1]
            grown = crowd
            for c in more:
                grown |= people[c]
            if grown.bit_count() >= k:
                continue
            found = search(index + 1, extended, ones + more, grown)
            if found:
                return found
        return None

    return search(0, {}, [], 0)
