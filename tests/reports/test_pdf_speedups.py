"""The renderer's cuts to WeasyPrint's wasted work change nothing in the PDFs
(``reports.pdf``: the XML parser for our HTML, the trimmed user-agent stylesheet, tinyhtml5's
pattern cache and pydyf's kept page references)."""

import xml.etree.ElementTree as ET

import tinyhtml5
from django.template.loader import render_to_string
from tinyhtml5 import inputstream
from weasyprint import HTML
from weasyprint.html import UA

from assessments.models import RaterGroup, ThemeComment
from reports.fetcher import BASE_URL
from reports.pdf import _BETWEEN_LINES, pdf_render, print_assets, report_user_agent_css, xml_tree
from reports.report_context import THEME_REPORT_TEMPLATE, theme_report_content
from reports.summary import SUMMARY_PDF_TEMPLATE, summary_context
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


def _stock_pdf(template_name, context) -> bytes:
    """What WeasyPrint makes of the template without any of reports.pdf's cuts."""
    stylesheet, fonts, fetcher, _ = print_assets()
    html = _BETWEEN_LINES.sub(">\n<", render_to_string(template_name, context))
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], font_config=fonts, pdf_tags=True
    )


def test_the_theme_and_summary_pdfs_are_byte_for_byte_what_stock_weasyprint_makes(
    framework, leader
):
    assessment = assessment_with_feedback(framework=framework, leader=leader)
    being = framework.themes.get(slug="being")
    # A comment over two lines: linebreaksbr writes <br>, an HTML void element.
    raters = assessment.responses.exclude(rater_group=RaterGroup.SELF)
    rater = raters.exclude(comments__theme=being).first()  # one comment per theme each
    ThemeComment.objects.create(response=rater, theme=being, text="First line.\nSecond line.")
    content = theme_report_content(assessment=assessment, theme=being)
    html = render_to_string(THEME_REPORT_TEMPLATE, content.context)
    assert "<br>" in html and xml_tree(html) is not None  # the XML parser's path is taken

    ours = pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)
    assert ours == _stock_pdf(THEME_REPORT_TEMPLATE, content.context)
    summary = summary_context(assessment=assessment)
    ours = pdf_render(template_name=SUMMARY_PDF_TEMPLATE, context=summary)
    assert ours == _stock_pdf(SUMMARY_PDF_TEMPLATE, summary)
    _, _, _, report_html = print_assets()
    assert report_html is not HTML and issubclass(report_html, HTML)


def test_html_that_is_not_well_formed_is_left_to_tinyhtml5():
    page = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title></head>'
    assert xml_tree(page + "<body><p>One<br>two</p></body></html>") is not None
    assert xml_tree(page + "<body><p>An unclosed paragraph</body></html>") is None
    assert xml_tree(page + "<body><p>&nbsp;</p></body></html>") is None  # HTML's entity
    assert xml_tree("<p>A fragment</p>") is None
    entity = '<!DOCTYPE html [<!ENTITY e "x">]><html><head></head><body>&e;</body></html>'
    assert xml_tree(entity) is None  # defusedxml refuses entity declarations
    _, _, _, report_html = print_assets()
    document = report_html(
        string=page + "<body><p>An unclosed paragraph</body></html>",
        base_url=BASE_URL,
        url_fetcher=None,
    )
    assert document.etree_element.find(".//p").text == "An unclosed paragraph"


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


def test_a_follow_ups_pdfs_with_their_change_tables_are_what_stock_weasyprint_makes(
    framework, leader
):
    from tests.followup.helpers import pair, theme_statements
    from tests.followup.test_change import _raters

    being = framework.themes.get(slug="being")
    statements = theme_statements(being)
    _, now = pair(
        framework=framework,
        leader=leader,
        earlier_raters=_raters(statements, seed=1),
        current_raters=_raters(statements, seed=2, shift=1),
    )
    content = theme_report_content(assessment=now, theme=being)
    assert content.context["change"] is not None
    assert xml_tree(render_to_string(THEME_REPORT_TEMPLATE, content.context)) is not None
    ours = pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)
    assert ours == _stock_pdf(THEME_REPORT_TEMPLATE, content.context)
    summary = summary_context(assessment=now)
    assert summary["change"]
    ours = pdf_render(template_name=SUMMARY_PDF_TEMPLATE, context=summary)
    assert ours == _stock_pdf(SUMMARY_PDF_TEMPLATE, summary)
