"""The one PDF renderer: a Django template and its context in, PDF bytes out.

Django renders the HTML (autoescaped: reports carry raters' free text); WeasyPrint lays it
out with the print stylesheet ``static/reports/report.css``. WeasyPrint is imported inside
the functions, so web processes that never render a PDF never load it, and a Celery worker
loads it after forking. Parsing the stylesheet and setting up fonts costs more than laying
out a short report, so both are made once per process and reused.
"""

import logging
import re
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from config.collector import cycle_collection_held

from .fetcher import BASE_URL, url_fetcher

PRINT_STYLESHEET = "reports/report.css"
_BETWEEN_LINES = re.compile(r">\s*\n\s*<")

_lock = threading.Lock()
_print_assets = None


def _stylesheet_path() -> str:
    path = finders.find(PRINT_STYLESHEET)
    if path is None:
        path = str(Path(settings.STATIC_ROOT, PRINT_STYLESHEET)) if settings.STATIC_ROOT else None
    if path is None:
        raise FileNotFoundError(f"The print stylesheet {PRINT_STYLESHEET} is missing.")
    return path


def print_assets():
    """(stylesheet, font configuration, url fetcher), created on first use in this process."""
    global _print_assets
    if _print_assets is None:
        with _lock:
            if _print_assets is None:
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                # Its per-page progress messages would drown the worker's own log.
                logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

                fonts = FontConfiguration()
                fetcher = url_fetcher()
                stylesheet = CSS(
                    filename=_stylesheet_path(), font_config=fonts, url_fetcher=fetcher
                )
                _print_assets = (stylesheet, fonts, fetcher)
    return _print_assets


def pdf_render(*, template_name: str, context: dict) -> bytes:
    """The PDF of ``template_name`` rendered with ``context``.

    Only our static files can be fetched while rendering (see ``reports.fetcher``). The PDF
    is tagged, so screen readers get headings, lists and tables in reading order.
    """
    from weasyprint import HTML

    stylesheet, fonts, fetcher = print_assets()
    # Indentation between tags is only more to parse (white space collapses anyway).
    html = _BETWEEN_LINES.sub(">\n<", render_to_string(template_name, context))
    # Laying out makes a few hundred thousand objects, alive until the PDF is written.
    with cycle_collection_held(collect_young=True):
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print")
        return document.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_tags=True)
