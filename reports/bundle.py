""" "Download all": the summary and the theme reports of one leader in one PDF.

The parts are the PDFs already made (released ones for the leader), joined page for page
with pypdf; each part gets a bookmark, its own bookmarks nested under it, so a reader's
outline lists the parts.
"""

import io

from pypdf import PdfReader, PdfWriter


def bundle_pdf(parts: list[tuple[str, bytes]]) -> bytes:
    """One PDF of ``parts`` (title, PDF bytes) in order, a bookmark at the start of each."""
    writer = PdfWriter()
    for title, pdf in parts:
        # A bookmark for the part, with the part's own bookmarks (its headings) under it.
        writer.append(PdfReader(io.BytesIO(pdf)), outline_item=title)
    writer.add_metadata({"/Title": "LPC 360 feedback reports", "/Author": "LPC 360"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def file_bytes(file) -> bytes:
    with file.open("rb") as handle:
        return handle.read()
