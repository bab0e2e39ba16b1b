"""The one PDF renderer: a Django template and its context in, PDF bytes out.

Django renders the HTML (autoescaped: reports carry raters' free text); WeasyPrint lays it
out with the print stylesheet ``static/reports/report.css``. WeasyPrint is imported inside
the functions, so web processes that never render a PDF never load it, and a Celery worker
loads it after forking. Parsing the stylesheet and setting up fonts costs more than laying
out a short report, so both are made once per process and reused.

Four cuts to work WeasyPrint does for nothing, none changing a byte of the PDFs (see
``tests/reports/test_pdf_speedups.py``): our HTML read by the XML parser (``xml_tree``,
tinyhtml5 if it is not well-formed), the user-agent stylesheet without the pseudo-element
rules that match every element (``report_user_agent_css``), tinyhtml5's regular expression
cache made to work (``_fix_tinyhtml5_cache``), and pydyf's list of page references kept
rather than rebuilt for each tagged element (``_fix_pydyf_page_references``).
"""

import logging
import re
import threading
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from config.collector import cycle_collection_held

from .fetcher import BASE_URL, url_fetcher

PRINT_STYLESHEET = "reports/report.css"
_BETWEEN_LINES = re.compile(r">\s*\n\s*<")

_lock = threading.Lock()
_print_assets = None

# WeasyPrint's user-agent stylesheet styles ``::marker`` and five footnote and note
# pseudo-elements for *every* element: six extra computed styles per element, over half of
# the style cascade of a report. Only list items have a marker, and no report has footnotes
# or notes (nothing sets ``float: footnote`` or ``footnote-display``).
_EVERY_ELEMENT_MARKER = re.compile(r"^::marker(?=\s*\{)", re.MULTILINE)
_FOOTNOTE_RULES = re.compile(
    r"^::(?:footnote-call|footnote-marker|note-call|note-marker|note-callback)\s*\{[^}]*\}\n",
    re.MULTILINE,
)


# HTML's void elements, written without the XML "/>" by templates (<meta>) and filters (<br>).
_VOID_TAG = re.compile(
    r"<(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b([^<>]*?)/?>"
)


def xml_tree(html: str):
    """The element tree of our HTML read by the XML parser (expat, in C), or ``None`` when it
    is not well-formed XML once void elements are closed; then tinyhtml5 reads it.

    tinyhtml5 is pure Python: a theme report's HTML took it ~20 ms, the XML parser well under
    1 ms. The templates write well-formed markup (escaped text, quoted attributes, no named
    entities but XML's, explicit ``<tbody>``), so both parsers give the same elements, text
    and attributes (SVG's elements in the SVG namespace, HTML's in none, as WeasyPrint's call
    to tinyhtml5 asks): the PDFs are byte for byte the same (tests/reports/test_pdf_speedups.py).
    """
    try:
        # defusedxml: no entity declarations, no external references, whatever the input.
        root = DefusedET.fromstring(_VOID_TAG.sub(r"<\1\2/>", html))
    except (DefusedET.ParseError, DefusedXmlException):
        return None
    if root.tag != "html" or [child.tag for child in root] != ["head", "body"]:
        return None  # not a whole document as the templates write it: leave it to tinyhtml5
    return root


def report_user_agent_css(stock: str) -> str:
    """WeasyPrint's user-agent stylesheet ``stock`` with ``li::marker`` for ``::marker`` and
    without the footnote and note rules; ``stock`` itself if either is not found (a newer
    WeasyPrint: the test of this module then fails, so the rules get looked at again)."""
    trimmed, markers = _EVERY_ELEMENT_MARKER.subn("li::marker", stock)
    trimmed, notes = _FOOTNOTE_RULES.subn("", trimmed)
    return trimmed if (markers, notes) == (1, 5) else stock


def _fix_tinyhtml5_cache() -> None:
    """Make tinyhtml5's cache of ``chars_until`` patterns hit.

    ``InputStream.chars_until`` (tinyhtml5 2.1) stores each pattern with
    ``characters = characters_until_regex[(characters, opposite)] = regex``, which rebinds
    ``characters`` before it is used as the key, so the cache never hits: every call (one per
    run of text or attribute) joins a pattern string and looks it up in ``re``'s cache: half
    of the HTML parsing time of a report. A cache that builds the same pattern on a miss,
    under the key the lookup uses, never reaches that code. Left alone if the module changed.
    """
    try:
        from tinyhtml5 import inputstream
    except ImportError:  # pragma: no cover - WeasyPrint parses with tinyhtml5
        return
    if type(getattr(inputstream, "characters_until_regex", None)) is not dict:
        return  # already fixed here, or not the module this was written for

    class Patterns(dict):
        def __missing__(self, key):
            characters, opposite = key
            pattern = "".join(f"\\x{ord(character):02x}" for character in characters)
            if not opposite:
                pattern = f"^{pattern}"
            compiled = self[key] = re.compile(f"[{pattern}]+")
            return compiled

    inputstream.characters_until_regex = Patterns()


def _fix_pydyf_page_references() -> None:
    """Keep ``pydyf.PDF.page_references`` until a page is added.

    The property builds the tuple of every page's reference each time it is read, and
    WeasyPrint reads it once per element of the tagged PDF's structure tree (``Pg``): several
    thousand tuples a report. Pages are only ever appended (``PDF.add_page``), so the tuple is
    kept with the length of ``Kids`` it was built from. Left alone if the property changed.
    """
    import pydyf

    stock = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(stock, property) or getattr(stock.fget, "kept", False):
        return

    def page_references(self):
        kids = self.pages["Kids"]
        kept = self.__dict__.get("_kept_page_references")
        if kept is None or kept[0] != len(kids):
            kept = self.__dict__["_kept_page_references"] = (len(kids), stock.fget(self))
        return kept[1]

    page_references.kept = True  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references)


def _stylesheet_path() -> str:
    path = finders.find(PRINT_STYLESHEET)
    if path is None:
        path = str(Path(settings.STATIC_ROOT, PRINT_STYLESHEET)) if settings.STATIC_ROOT else None
    if path is None:
        raise FileNotFoundError(f"The print stylesheet {PRINT_STYLESHEET} is missing.")
    return path


def print_assets():
    """(stylesheet, font configuration, url fetcher, HTML class), created on first use in
    this process."""
    global _print_assets
    if _print_assets is None:
        with _lock:
            if _print_assets is None:
                from cssselect2 import ElementWrapper
                from weasyprint import CSS, HTML
                from weasyprint import _find_base_url as find_base_url
                from weasyprint.css.counters import CounterStyle
                from weasyprint.html import UA, UA_FORM_STYLESHEET
                from weasyprint.text.fonts import FontConfiguration

                # Its per-page progress messages would drown the worker's own log.
                logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

                fonts = FontConfiguration()
                fetcher = url_fetcher()
                stylesheet = CSS(
                    filename=_stylesheet_path(), font_config=fonts, url_fetcher=fetcher
                )
                # Its @counter-style rules are WeasyPrint's own, already registered.
                user_agent = CSS(string=report_user_agent_css(UA), counter_style=CounterStyle())

                class ReportHTML(HTML):
                    def __init__(self, *, string, base_url, url_fetcher, media_type="print"):
                        root = xml_tree(string)
                        if root is None:
                            super().__init__(
                                string=string,
                                base_url=base_url,
                                url_fetcher=url_fetcher,
                                media_type=media_type,
                            )
                            return
                        # What HTML.__init__ does with tinyhtml5's tree.
                        self.base_url = find_base_url(root, base_url)
                        self.url_fetcher = url_fetcher
                        self.media_type = media_type
                        self.wrapper_element = ElementWrapper.from_html_root(
                            root, content_language=None
                        )
                        self.etree_element = self.wrapper_element.etree_element

                    def _ua_stylesheets(self, forms=False):
                        return [user_agent, UA_FORM_STYLESHEET] if forms else [user_agent]

                _fix_tinyhtml5_cache()
                _fix_pydyf_page_references()
                _print_assets = (stylesheet, fonts, fetcher, ReportHTML)
    return _print_assets


def pdf_render(*, template_name: str, context: dict) -> bytes:
    """The PDF of ``template_name`` rendered with ``context``.

    Only our static files can be fetched while rendering (see ``reports.fetcher``). The PDF
    is tagged, so screen readers get headings, lists and tables in reading order.
    """
    return pdf_from_html(render_to_string(template_name, context))


def pdf_from_html(html: str) -> bytes:
    """The PDF of a report's HTML, as ``pdf_render`` lays it out (the benchmark times this
    alone against the whole of ``pdf_render``)."""
    stylesheet, fonts, fetcher, report_html = print_assets()
    # Indentation between tags is only more to parse (white space collapses anyway).
    html = _BETWEEN_LINES.sub(">\n<", html)
    # Laying out makes a few hundred thousand objects, alive until the PDF is written.
    with cycle_collection_held(collect_young=True):
        document = report_html(
            string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print"
        )
        return document.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_tags=True)
