"""Exact linear algebra for disclosure control: which cell sets a family of sums reveals.

Vectors are sparse ``{column: number}`` dicts over the rationals (``Fraction``), so no
rounding can hide or invent a dependency. The matrices involved are small (a theme has at
most a few dozen cells and aggregates), so plain Gaussian elimination is fast enough.
"""

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

Vector = Mapping[int, int | Fraction]


class Span:
    """The rational row space of some vectors, kept in echelon form.

    Each stored row is keyed by its pivot, which is its lowest column, and has the value 1
    there. Reducing a vector by the rows in increasing pivot order leaves nothing exactly
    when the vector is a linear combination of the vectors added.
    """

    def __init__(self, vectors: Iterable[Vector] = ()):
        self._rows: dict[int, dict[int, Fraction]] = {}
        for vector in vectors:
            self.add(vector)

    def _reduce(self, vector: Vector) -> dict[int, Fraction]:
        rest = {c: Fraction(v) for c, v in vector.items() if v}
        while rest:
            column = min(rest)
            row = self._rows.get(column)
            if row is None:
                return rest
            factor = rest[column]
            for c, v in row.items():
                value = rest.get(c, 0) - factor * v
                if value:
                    rest[c] = value
                else:
                    rest.pop(c, None)
        return rest

    def add(self, vector: Vector) -> None:
        rest = self._reduce(vector)
        if rest:
            pivot = min(rest)
            scale = rest[pivot]
            self._rows[pivot] = {c: v / scale for c, v in rest.items()}

    def contains(self, vector: Vector) -> bool:
        return not self._reduce(vector)

    def rows_from(self, column: int) -> list[dict[int, Fraction]]:
        """The rows whose pivot is ``column`` or later, by pivot.

        When the columns before ``column`` are numbered first, these rows are a basis of the
        vectors in the span that are zero on all of them (a row's pivot is its lowest
        column, and rows with earlier pivots cannot cancel each other there).
        """
        return [self._rows[p] for p in sorted(self._rows) if p >= column]


def small_zero_one_vector(
    rows: Sequence[Mapping[int, Fraction]], people: Sequence[frozenset], k: int
) -> frozenset[int] | None:
    """A 0/1 vector in the span of echelon ``rows`` whose columns hold 1..k-1 people.

    ``people[c]`` is who stands behind column ``c``. Returns the columns of the first such
    vector found (its support), or None when there is none. The search fixes the value of
    each pivot column in turn (0 or 1, which fixes that row's coefficient); once a pivot is
    fixed, every column before the next pivot is final, so a branch is dropped as soon as a
    final column is neither 0 nor 1 or the people behind its 1s reach k.
    """
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
            grown = crowd.union(*(people[c] for c in more)) if more else crowd
            if len(grown) >= k:
                continue
            found = search(index + 1, extended, ones + more, grown)
            if found:
                return found
        return None

    return search(0, {}, [], frozenset())
