"""The PDF's chart key draws its shapes from static/reports/key/*.svg: the same drawings as
the web page's inline key (charts/legend.html and marker.svg), checked here file by file."""

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from reports.charts import MARKERS, Marker, marker_points
from reports.report_context import THEME_REPORT_TEMPLATE, theme_report_content
from tests.reports.test_pdf_report import assessment_with_feedback

KEY = Path(settings.BASE_DIR) / "static" / "reports" / "key"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">'


def _inline_key(legend_id="k") -> list[str]:
    html = render_to_string("reports/charts/legend.html", {"legend_id": legend_id})
    return re.findall(r"<svg .*?</svg>", html)


def test_the_bar_shapes_are_the_inline_keys():
    self_svg, all_svg = _inline_key()
    for name, inline in (("self", self_svg), ("all", all_svg)):
        inline = inline.replace("k-hatch", "hatch")
        inline = re.sub(r' aria-hidden="true" focusable="false"', "", inline)
        assert (KEY / f"{name}.svg").read_text().strip() == inline


def test_each_marker_shape_is_the_markers_drawing():
    for shape in set(MARKERS.values()):
        marker = Marker(shape, 8, 8, "", marker_points(shape, 8, 8))
        drawing = render_to_string("reports/charts/marker.svg", {"marker": marker}).strip()
        assert (KEY / f"{shape}.svg").read_text().strip() == (
            SVG.format(w=16, h=16) + drawing + "</svg>"
        )


def test_the_pdf_key_names_every_shown_group_with_its_shape(framework, leader):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    content = theme_report_content(assessment=assessment, theme=framework.themes.get(slug="being"))
    html = render_to_string(THEME_REPORT_TEMPLATE, content.context)
    keys = re.findall(r'<ul class="chart-legend">.*?</ul>', html, flags=re.S)

    assert len(keys) == 2  # how to read the report, and under the theme's chart
    for key in keys:
        assert "<svg" not in key
        assert 'key--self"></span> You (hatched bar)' in key
        assert 'key--all"></span> All raters (solid bar)' in key
        for column in content.context["group_columns"]:
            shape = column.legend_marker.shape
            assert f'key--{shape}"></span> {column.label}' in key
            assert (KEY / f"{shape}.svg").is_file()
    css = (Path(settings.BASE_DIR) / "static" / "reports" / "report.css").read_text()
    for path in KEY.glob("*.svg"):
        assert f"url(key/{path.name})" in css
