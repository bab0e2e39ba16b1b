"""The renderer's two fixes to WeasyPrint's wasted work change nothing in the PDFs
(``reports.pdf``: the trimmed user-agent stylesheet and tinyhtml5's pattern cache)."""

import xml.etree.ElementTree as ET

import tinyhtml5
from django.template.loader import render_to_string
from tinyhtml5 import inputstream
from weasyprint import HTML
from weasyprint.html import UA

from reports.fetcher import BASE_URL
from reports.pdf import pdf_render, print_assets, report_user_agent_css
from reports.report_context import THEME_REPORT_TEMPLATE, theme_report_content
from tests.reports.test_pdf_report import SCRIPT_COMMENT, assessment_with_feedback


def test_the_user_agent_stylesheet_loses_only_the_every_element_pseudo_element_rules():
    trimmed = report_user_agent_css(UA)

    # If this fails, WeasyPrint's stylesheet changed: look at its rules again.
    assert trimmed != UA
    assert "li::marker {" in trimmed
    assert "::footnote" not in trimmed and "::note" not in trimmed
    removed = set(UA.splitlines()) - set(trimmed.splitlines())
    assert all(line.startswith(("::marker", "::footnote", "::note")) for line in removed)
    assert report_user_agent_css("html { display: block }\n") == "html { display: block }\n"


def test_a_theme_pdf_is_byte_for_byte_what_stock_weasyprint_makes(framework, leader):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    content = theme_report_content(assessment=assessment, theme=framework.themes.get(slug="being"))
    ours = pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)

    stylesheet, fonts, fetcher, report_html = print_assets()
    assert report_html is not HTML and issubclass(report_html, HTML)
    html = render_to_string(THEME_REPORT_TEMPLATE, content.context)
    from reports.pdf import _BETWEEN_LINES

    stock = HTML(
        string=_BETWEEN_LINES.sub(">\n<", html), base_url=BASE_URL, url_fetcher=fetcher
    ).write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_tags=True)
    assert ours == stock


def test_the_pattern_cache_parses_html_as_the_stock_code_does(monkeypatch):
    print_assets()
    fixed = inputstream.characters_until_regex
    assert type(fixed) is not dict  # the fix is in place
    html = (
        "<!DOCTYPE html><p class='a' data-x=\"1 &amp; 2\">Text &lt;b&gt; <b>bold</b>\u00a0"
        f"&nbsp; {SCRIPT_COMMENT}<!-- a -- comment --><svg><text x='1'>5.0</text></svg>"
        "<![CDATA[x]]><textarea>a\u0000b</textarea><script>if (a < b) {}</script>"
    )

    def parsed():
        return ET.tostring(tinyhtml5.parse(html, namespace_html_elements=False))

    with_fix = parsed()
    assert all(isinstance(key, tuple) and len(key) == 2 for key in fixed)
    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    assert parsed() == with_fix


def test_kept_page_references_follow_added_pages():
    import pydyf

    print_assets()
    assert getattr(pydyf.PDF.page_references.fget, "kept", False)
    pdf = pydyf.PDF()
    assert pdf.page_references == ()
    for count in (1, 2, 3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        numbers = pdf.pages["Kids"][::3]
        assert pdf.page_references == tuple(f"{n} 0 R".encode() for n in numbers)
        assert len(pdf.page_references) == count
