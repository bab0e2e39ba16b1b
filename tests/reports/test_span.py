"""The exact linear algebra of disclosure control, against the plain definitions.

``RemovalEffects`` answers "without vector i, do ``target`` and vector i still lie in the
span?" with shortcuts for vectors along a single column (a shown cell's own figure); here
each answer is checked against a ``Span`` rebuilt without vector i. The exposure check
drops such columns and renumbers the rest before eliminating (once per pattern); here its
answer is checked against the search over the unreduced span.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.aggregation.disclosure import _exposed_masks, cell_layout
from reports.aggregation.span import RemovalEffects, Span, small_zero_one_vector

COLUMNS = 7

# Small families of 0/1 vectors over a few columns, many of them along one column alone,
# as in a quality's aggregates (a group's statement figures are single cells).
single = st.integers(0, COLUMNS - 1).map(lambda c: {c: 1})
several = st.sets(st.integers(0, COLUMNS - 1), min_size=1, max_size=COLUMNS).map(
    lambda cells: dict.fromkeys(cells, 1)
)
families = st.lists(st.one_of(single, several), min_size=1, max_size=9)
targets = st.sets(st.integers(0, COLUMNS - 1), min_size=1, max_size=4).map(
    lambda cells: dict.fromkeys(cells, 1)
)


def _removal_by_definition(vectors, target):
    found = []
    for i, vector in enumerate(vectors):
        others = Span(v for j, v in enumerate(vectors) if j != i)
        found.append((others.contains(target), others.contains(vector)))
    return found


@settings(max_examples=400, deadline=None)
@given(vectors=families, target=targets)
def test_removal_effects_equal_rebuilding_the_span_without_each_vector(vectors, target):
    effects = RemovalEffects(vectors, target)

    assert [effects[i] for i in range(len(vectors))] == _removal_by_definition(vectors, target)


@settings(max_examples=200, deadline=None)
@given(vectors=families, target=targets, order=st.permutations(range(9)))
def test_removal_effects_asked_in_any_order_give_the_same_answers(vectors, target, order):
    expected = _removal_by_definition(vectors, target)
    effects = RemovalEffects(vectors, target)

    for i in (i for i in order if i < len(vectors)):
        assert effects[i] == expected[i]


def test_a_lone_cell_needed_for_the_derivation_is_reported_so():
    # Cells 0, 1, 2 of one group; the group's total and cells 0 and 1 are shown, so cell 2
    # is total - 0 - 1. Without cell 0's figure (or 1's), cell 2 is no longer derivable.
    total, first, second = {0: 1, 1: 1, 2: 1}, {0: 1}, {1: 1}
    effects = RemovalEffects([total, first, second], {2: 1})

    assert [effects[i] for i in range(3)] == [(False, False), (False, False), (False, False)]


def _exposed_without_shortcut(vectors, layout, k):
    order, _, first_sensitive, weights = layout
    rows = Span(vectors).rows_from(first_sensitive)
    found = small_zero_one_vector(rows, weights, k) if rows else None
    return frozenset(order[i] for i in found) if found else None


people_of_cells = st.lists(st.integers(0, 2**6 - 1), min_size=COLUMNS, max_size=COLUMNS)


@settings(max_examples=400, deadline=None)
@given(vectors=families, people=people_of_cells, k=st.integers(2, 4))
def test_the_exposure_check_finds_what_the_unreduced_search_finds(vectors, people, k):
    layout = cell_layout(dict(enumerate(people)), k)
    if layout is None:
        return  # no sensitive cell: nothing to compare
    column = layout[1]
    over_layout = [{column[c]: 1 for c in vector if c in column} for vector in vectors]
    over_layout = [v for v in over_layout if v]
    masks = [sum(1 << c for c in v) for v in over_layout]

    assert _exposed_masks(masks, layout, k) == _exposed_without_shortcut(over_layout, layout, k)
