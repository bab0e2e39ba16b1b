"""The PDF charts' words and figures as placed letters (reports.charts.placed_letters): the
letters WeasyPrint drew for each anchored <text>, at the same places."""

import re
from math import inf

import pytest
from django.template.loader import render_to_string

from reports.charts import _ADVANCES, Letters, placed_letters
from reports.report_context import THEME_REPORT_TEMPLATE, theme_report_content
from tests.reports.test_pdf_report import assessment_with_feedback


def test_letters_are_placed_from_each_texts_anchor():
    # Digits are 1139/2048 of the font size wide, "." 569/2048, in Arial and Liberation Sans.
    digit, point = 1139 * 10 / 2048, 569 * 10 / 2048
    run = placed_letters(
        [(100, 20, "end", "4.5"), (50, 40, "middle", "3"), (0, 60, "start", "1.2")],
        font_size=10,
        fill="#000",
    )
    width = 2 * digit + point
    expected = [100 - width, 100 - width + digit, 100 - digit, 50 - digit / 2]
    expected += [0, digit, digit + point]
    assert [float(x) for x in run.x.split()] == pytest.approx(expected, abs=0.006)
    assert run.y.split() == ["20", "20", "20", "40", "60", "60", "60"]
    assert run == Letters(run.x, run.y, "4.531.2", "10", "#000")


def test_spaces_are_not_drawn_and_unknown_characters_give_up():
    run = placed_letters([(0, 0, "start", "All raters")], font_size=11, fill="#000", bold=False)
    assert run.text == "Allraters" and len(run.x.split()) == 9
    assert placed_letters([(0, 0, "start", "Peers")], font_size=11, fill="#000") is None
    assert placed_letters([(0, 0, "start", "All")], font_size=11, fill="#000", bold=True) is None


@pytest.mark.parametrize("bold", [False, True])
def test_the_widths_are_the_ones_weasyprint_lays_out(bold):
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.svg.text import Style
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.text.line_break import split_first_line

    class Context:
        font_config = FontConfiguration()

    style = Style(INITIAL_VALUES)
    style.font_config = Context.font_config
    style.update(
        font_family=["Arial", "Liberation Sans", "sans-serif"],
        font_size=12.5,
        font_weight=700 if bold else 400,
    )
    for character, advance in _ADVANCES[bold].items():
        width = split_first_line(character, style, Context, inf, 0)[3]
        assert width == pytest.approx(advance * 12.5 / 2048, abs=0.002), character


def test_the_pdf_charts_write_every_figure_as_placed_letters(framework, leader):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    content = theme_report_content(assessment=assessment, theme=framework.themes.get(slug="being"))
    context = content.context
    pdf_html = render_to_string(THEME_REPORT_TEMPLATE, context)
    svgs = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart".*?</svg>',
                      pdf_html, flags=re.S)  # fmt: skip
    assert len(svgs) == 1 + len(context["qualities"])
    for svg in svgs:
        assert "text-anchor" not in svg  # no text in a group of its own
        assert 1 <= svg.count("<text") <= 5
    quality = context["qualities"][0]
    chart = quality.pdf_chart
    texts = {run.text for run in chart.letters}
    assert "".join(row.number for row in quality.statements).replace(" ", "") in texts
    assert "".join(row.self_text for row in chart.rows) in texts
    assert "".join(row.all_text for row in chart.rows) in texts
    assert "12345" in texts and "YouAllraters" in texts
    # The web page's charts keep a <text> per label and figure.
    assert quality.chart.letters == ()


def test_the_pdf_charts_draw_ticks_and_bars_as_one_path_each(framework, leader):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    content = theme_report_content(assessment=assessment, theme=framework.themes.get(slug="being"))
    chart = content.context["qualities"][0].pdf_chart

    subpaths = re.findall(r"M([\d.]+),([\d.]+)h([\d.]+)v([\d.]+)h-([\d.]+)Z", chart.all_bars_path)
    bars = [row.all_bar for row in chart.rows if row.all_bar]
    assert [tuple(float(v) for v in s) for s in subpaths] == [
        (b.x, b.y, b.width, b.height, b.width) for b in bars
    ]
    assert chart.self_bars_path.count("M") == sum(1 for row in chart.rows if row.self_bar)
    lines = re.findall(r"M([\d.]+),([\d.]+)V([\d.]+)", chart.tick_path)
    assert [(float(x), float(y1), float(y2)) for x, y1, y2 in lines] == [
        (tick.x, chart.axis_y + 6, chart.height) for tick in chart.ticks
    ]
    svg = render_to_string("reports/charts/bars.svg", {"chart": chart})
    assert "<line" not in svg and svg.count("<rect") == 1 + sum(r.shade for r in chart.rows)
    web = render_to_string(
        "reports/charts/bars.svg", {"chart": content.context["qualities"][0].chart}
    )
    assert web.count("<line") == len(chart.ticks) and '<path d="M3' not in web


def test_every_marker_shape_keeps_its_drawing_and_each_rows_order():
    from types import SimpleNamespace as Row

    from reports.charts import MARKERS, bar_chart

    def groups(keys):
        return [Row(key=key, label=key, mean=3 + i / 4) for i, key in enumerate(keys)]

    everyone = list(MARKERS)  # line manager, peers, direct reports, other, other raters
    rows = [
        Row(number=number, label="A", self_score=4, all_raters=Row(mean=3.5), groups=groups(keys),
            coverage_text="")
        for number, keys in (("1.1", everyone), ("1.2", everyone[1:]))
    ]  # fmt: skip
    chart = bar_chart(
        chart_id="c", title="t", rows=rows, scale_min=1, scale_max=5,
        compact=True, numbers_only=True,
    )  # fmt: skip
    assert len(chart.marker_layers) == len(everyone)
    for index, layer in enumerate(chart.marker_layers):
        # The index-th marker of each row, whatever its shape, and nothing else.
        markers = [row.markers[index] for row in chart.rows if index < len(row.markers)]
        circles = [m for m in markers if m.shape == "circle"]
        assert layer.circles == tuple(circles)
        outlined = [m for m in markers if m.shape in ("diamond", "triangle", "square")]
        assert layer.outlines.count("M") == len(outlined)
        assert layer.crosses.count("M") == sum(m.shape == "cross" for m in markers)
        for marker in outlined:
            drawing = render_to_string("reports/charts/marker.svg", {"marker": marker})
            if marker.shape == "square":
                x, y = re.search(r'x="([\d.]+)" y="([\d.]+)"', drawing).groups()
                assert f"M{float(x):g},{float(y):g}h10v10h-10Z" in layer.outlines
            else:
                points = re.search(r'points="([^"]+)"', drawing).group(1).split()
                assert "M" + " L".join(points) + "Z" in layer.outlines
    svg = render_to_string("reports/charts/bars.svg", {"chart": chart})
    assert "<polygon" not in svg and svg.count("<circle") == 2
