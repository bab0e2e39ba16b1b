"""Geometry of the report charts, drawn by ``templates/reports/charts/bars.svg``.

One chart style for the PDF and the web page: horizontal bars on the rating scale, "You"
(hatched) above "All raters" (solid), each displayed rater group as a marker of its own
shape on the All raters bar, the scores written in a column on the right and the "could
observe" coverage under each label. Shapes, hatching and written values keep the chart
readable in greyscale and without colour vision.

Coordinates are SVG user units in a fixed-width viewBox; the SVG scales to its container.
"""

import textwrap
from dataclasses import dataclass

from .aggregation import format_score

WIDTH = 700
LABEL_X = 4
LABEL_CHARS = 36  # characters per label line at 12.5 units: about 230 units of Arial
SERIES_LABEL_X = 292  # "You" and "All raters", right-aligned before the bars
PLOT_LEFT = 300
PLOT_RIGHT = 630
VALUE_X = 694  # scores, right-aligned
AXIS_HEIGHT = 26
LINE_HEIGHT = 16
BAR_HEIGHT = 14
BAR_GAP = 6
ROW_PADDING = 12
MARKER_SIZE = 6
STACKED_LABEL_CHARS = 96  # a label across the whole width, above its bars
STACKED_PADDING = 7

# Rater groups' marker shapes.
MARKERS = {
    "line_manager": "diamond",
    "peer": "circle",
    "direct_report": "triangle",
    "other": "square",
    "other_raters": "cross",
}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Marker:
    shape: str
    x: float
    y: float
    label: str
    points: str  # for polygons
    size: int = MARKER_SIZE

    @property
    def left(self):
        return round(self.x - self.size + 1, 1)

    @property
    def top(self):
        return round(self.y - self.size + 1, 1)


@dataclass(frozen=True)
class Row:
    y: float
    height: float
    label_lines: tuple[tuple[float, str], ...]
    caption: str
    caption_y: float
    self_bar: Bar | None
    self_text: str
    self_y: float
    all_bar: Bar | None
    all_text: str
    all_y: float
    markers: tuple[Marker, ...]
    shade: bool
    series_labels: bool = True  # "You" and "All raters" written beside the bars


@dataclass(frozen=True)
class Letters:
    """Texts of one style drawn as one SVG ``<text>`` with every letter placed (``x`` and
    ``y`` lists): what several anchored ``<text>`` elements draw, letter for letter."""

    x: str
    y: str
    text: str
    font_size: str
    fill: str
    bold: bool = False


@dataclass(frozen=True)
class MarkerLayer:
    """The i-th marker of every row of a PDF chart: diamonds, triangles and squares as one
    outlined path, crosses as one stroked path, circles as they are. Layer by layer, so each
    row's markers are painted in the order they were (rows never overlap)."""

    outlines: str
    crosses: str
    circles: tuple[Marker, ...]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    height: float
    ticks: tuple[Tick, ...]
    rows: tuple[Row, ...]
    axis_y: float = AXIS_HEIGHT - 10
    width: int = WIDTH
    label_x: int = LABEL_X
    series_label_x: int = SERIES_LABEL_X
    plot_left: int = PLOT_LEFT
    value_x: int = VALUE_X
    # The PDF's (numbers_only): all the chart's words and figures in a few placed texts, and
    # its tick lines, hatched bars and solid bars each one path (see ``_chart_paths``).
    letters: tuple[Letters, ...] = ()
    tick_path: str = ""
    self_bars_path: str = ""
    all_bars_path: str = ""
    marker_layers: tuple[MarkerLayer, ...] = ()


# Advance widths, in 2048ths of the font size, of the characters the PDF charts write, in
# Arial and in Liberation Sans, which has Arial's metrics (the charts' fonts), and bold.
_ADVANCES = {
    False: {
        **dict.fromkeys("0123456789\u2013", 1139),
        **{".": 569, " ": 569, "Y": 1366, "o": 1139, "u": 1139, "A": 1366, "l": 455},
        **{"r": 682, "a": 1139, "t": 569, "e": 1139, "s": 1024},
    },
    True: {**dict.fromkeys("0123456789\u2013", 1139), ".": 569, " ": 569},
}


def placed_letters(texts, *, font_size, fill, bold=False) -> Letters | None:
    """``texts`` (each ``(x, y, anchor, text)``, anchor "start", "middle" or "end") as one
    ``Letters``, each letter where WeasyPrint draws it for the text's own ``<text>``; ``None``
    if a character's width is not known here (the texts are then drawn one by one).

    WeasyPrint lays out and draws SVG text one letter at a time whatever the markup, and puts
    each ``<text>`` with a middle or end anchor in a group of its own (a PDF form XObject,
    measured and moved after drawing): a chart's dozens of short texts cost more than its
    bars. One placed ``<text>`` per style draws the same letters at the same places."""
    widths = _ADVANCES[bold]
    xs, ys, letters = [], [], []
    for x, y, anchor, text in texts:
        if any(character not in widths for character in text):
            return None
        advances = [widths[character] * font_size / 2048 for character in text]
        left = float(x)
        if anchor == "end":
            left -= sum(advances)
        elif anchor == "middle":
            left -= sum(advances) / 2
        for character, advance in zip(text, advances, strict=True):
            if character != " ":  # nothing to draw; the next letter is placed anyway
                xs.append(f"{left:.2f}")
                ys.append(f"{float(y):g}")
                letters.append(character)
            left += advance
    return Letters(" ".join(xs), " ".join(ys), "".join(letters), f"{font_size:g}", fill, bold)


def _chart_letters(ticks, rows, axis_y) -> tuple[Letters, ...]:
    """The texts bars.svg writes for a numbers-only chart, as ``Letters`` (same sizes,
    colours, weights and places); ``()`` if any of them cannot be (then bars.svg writes each
    text as before)."""
    runs = [
        placed_letters(
            [(tick.x, axis_y, "middle", tick.label) for tick in ticks],
            font_size=12,
            fill="#4c6272",
        ),
        placed_letters(
            [(LABEL_X, y, "start", line) for row in rows for y, line in row.label_lines],
            font_size=12.5,
            fill="#212b32",
        ),
        placed_letters(
            [
                (SERIES_LABEL_X, y, "end", text)
                for row in rows
                if row.series_labels
                for y, text in ((row.self_y, "You"), (row.all_y, "All raters"))
            ],
            font_size=11,
            fill="#212b32",
        ),
        placed_letters(
            [(VALUE_X, row.self_y, "end", row.self_text) for row in rows],
            font_size=12.5,
            fill="#212b32",
        ),
        placed_letters(
            [(VALUE_X, row.all_y, "end", row.all_text) for row in rows],
            font_size=12.5,
            fill="#212b32",
            bold=True,
        ),
    ]
    if None in runs or any(row.caption for row in rows):
        return ()
    return tuple(run for run in runs if run is not None and run.text)


def _chart_paths(ticks, rows, axis_y, height) -> tuple[str, str, str]:
    """The tick lines, the hatched bars and the solid bars of a PDF chart as three paths, one
    subpath per line or bar: the same lines and rectangles, strokes and fills (a dash pattern
    starts again at each subpath, and the hatching is laid in the chart's own coordinates),
    for 3 SVG elements instead of 5 plus 2 a row, each styled and drawn by WeasyPrint."""

    def bars(found):
        return " ".join(
            f"M{b.x:g},{b.y:g}h{b.width:g}v{b.height:g}h{-b.width:g}Z" for b in found if b
        )

    return (
        " ".join(f"M{t.x:g},{axis_y + 6:g}V{height:g}" for t in ticks),
        bars(row.self_bar for row in rows),
        bars(row.all_bar for row in rows),
    )


def _marker_layers(rows) -> tuple[MarkerLayer, ...]:
    """The rows' markers as ``MarkerLayer``s: the same shapes as marker.svg draws (a polygon's
    corners, a square's 10-unit sides, a cross's two strokes) as subpaths."""
    layers = []
    for index in range(max((len(row.markers) for row in rows), default=0)):
        outlines, crosses, circles = [], [], []
        for row in rows:
            if index >= len(row.markers):
                continue
            marker = row.markers[index]
            if marker.shape in ("diamond", "triangle"):
                outlines.append("M" + " L".join(marker.points.split()) + "Z")
            elif marker.shape == "square":
                outlines.append(f"M{marker.left:g},{marker.top:g}h10v10h-10Z")
            elif marker.shape == "cross":
                crosses.append(f"M{marker.left:g},{marker.top:g} l10,10 m0,-10 l-10,10")
            else:
                circles.append(marker)
        layers.append(MarkerLayer(" ".join(outlines), " ".join(crosses), tuple(circles)))
    return tuple(layers)


def score_text(value) -> str:
    return format_score(value)


def marker_points(shape: str, x: float, y: float, size: float = MARKER_SIZE) -> str:
    """The corners of a diamond or triangle marker centred on (x, y)."""
    if shape == "diamond":
        corners = [(x, y - size - 1), (x + size + 1, y), (x, y + size + 1), (x - size - 1, y)]
    elif shape == "triangle":
        corners = [(x, y - size - 1), (x + size + 1, y + size), (x - size - 1, y + size)]
    else:
        return ""
    return " ".join(f"{px:.1f},{py:.1f}" for px, py in corners)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    rows,
    scale_min: int,
    scale_max: int,
    stacked: bool = False,
    compact: bool = False,
    numbers_only: bool = False,
) -> Chart:
    """A chart of ``rows``: objects with ``label``, ``self_score``, ``all_raters`` (``mean``),
    ``groups`` (each ``key``, ``label``, ``mean``) and ``coverage_text``.

    ``stacked`` puts each label across the whole width above its bars, with the coverage
    beside the bars: long labels (statements) then take two lines rather than five or six,
    and a chart about a third less height. ``compact`` (one-line labels, coverage given in a
    table beside the chart) drops the coverage line and most of the padding. ``numbers_only``
    labels each row with its number alone, for the PDF, where the table under the chart gives
    the wording, and writes "You" and "All raters" beside the first row's bars only (the
    hatched bar is always above the solid one, and the key says so): WeasyPrint lays out and
    draws SVG text one letter at a time, so these letters were most of a chart's render."""
    padding = 4 if compact else ROW_PADDING
    span = max(scale_max - scale_min, 1)

    def x_of(value):
        return round(PLOT_LEFT + (float(value) - scale_min) / span * (PLOT_RIGHT - PLOT_LEFT), 1)

    def bar(value, y):
        if value is None:
            return None
        return Bar(PLOT_LEFT, y, max(round(x_of(value) - PLOT_LEFT, 1), 2), BAR_HEIGHT)

    chart_rows = []
    y = AXIS_HEIGHT
    for index, row in enumerate(rows):
        label = f"{row.number} {row.label}" if row.number else row.label
        if numbers_only and row.number:
            label = row.number
        caption = row.coverage_text if row.all_raters is not None else "All raters: not shown"
        if compact:
            caption = ""
        if stacked:
            lines = textwrap.wrap(label, STACKED_LABEL_CHARS) or [""]
            label_top = y + STACKED_PADDING
            top = label_top + len(lines) * LINE_HEIGHT + 2
            height = top - y + 2 * BAR_HEIGHT + BAR_GAP + STACKED_PADDING
            caption_y = top + BAR_HEIGHT + BAR_GAP // 2 + 4
        else:
            lines = textwrap.wrap(label, LABEL_CHARS) or [""]
            text_height = (len(lines) + (1 if caption else 0)) * LINE_HEIGHT
            height = max(text_height, 2 * BAR_HEIGHT + BAR_GAP) + 2 * padding
            top = label_top = y + padding
            caption_y = top + 11 + len(lines) * LINE_HEIGHT
        all_top = top + BAR_HEIGHT + BAR_GAP
        all_mean = row.all_raters.mean if row.all_raters is not None else None
        markers = []
        for group in row.groups:
            if group.mean is None:
                continue
            shape = MARKERS.get(group.key, "circle")
            mx, my = x_of(group.mean), all_top + BAR_HEIGHT // 2
            label = f"{group.label} {score_text(group.mean)}"
            markers.append(Marker(shape, mx, my, label, marker_points(shape, mx, my)))
        chart_rows.append(
            Row(
                y=y,
                height=height,
                label_lines=tuple(
                    (label_top + 11 + i * LINE_HEIGHT, line) for i, line in enumerate(lines)
                ),
                caption=caption,
                caption_y=caption_y,
                self_bar=bar(row.self_score, top),
                self_text=score_text(row.self_score),
                self_y=top + BAR_HEIGHT - 3,
                all_bar=bar(all_mean, all_top),
                all_text=_all_raters_text(row.all_raters),
                all_y=all_top + BAR_HEIGHT - 3,
                markers=tuple(markers),
                shade=index % 2 == 1,
                series_labels=index == 0 or not numbers_only,
            )
        )
        y += height
    ticks = tuple(Tick(x_of(v), str(v)) for v in range(scale_min, scale_max + 1))
    letters = _chart_letters(ticks, chart_rows, AXIS_HEIGHT - 10) if numbers_only else ()
    paths = _chart_paths(ticks, chart_rows, AXIS_HEIGHT - 10, y + 4) if letters else ("", "", "")
    return Chart(
        id=chart_id,
        title=title,
        description=" ".join(row_description(row) for row in rows),
        height=y + 4,
        ticks=ticks,
        rows=tuple(chart_rows),
        letters=letters,
        tick_path=paths[0],
        self_bars_path=paths[1],
        all_bars_path=paths[2],
        marker_layers=_marker_layers(chart_rows) if letters else (),
    )


def _all_raters_text(figures) -> str:
    return score_text(figures.mean if figures is not None else None)


def row_description(row) -> str:
    """The row in words, for the chart's <desc>."""
    parts = [f"{row.label}: you {score_text(row.self_score)}"]
    if row.all_raters is not None and row.all_raters.mean is not None:
        parts.append(f"all raters {score_text(row.all_raters.mean)} ({row.coverage_text})")
    else:
        parts.append("all raters not shown")
    parts.extend(
        f"{g.label.lower()} {score_text(g.mean)}" for g in row.groups if g.mean is not None
    )
    return "; ".join(parts) + "."
