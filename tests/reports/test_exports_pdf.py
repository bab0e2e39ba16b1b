"""The cohort PDF, rendered for real by the one PDF renderer and read back with pypdf."""

import io
import time

import pytest
from pypdf import PdfReader

from reports.exports.cohort_pdf import cohort_pdf_context
from reports.exports.rows import cohort_data, leader_pseudonym
from reports.exports.services import cohort_export_content
from reports.models import CohortExport
from tests.reports.test_exports import NAMES, names_in


def _render(programme, named):
    started = time.monotonic()
    content = cohort_export_content(
        export=CohortExport(programme=programme, kind="pdf", named=named),
        data=cohort_data(programme=programme, named=named),
    )
    print(f"\nCohort PDF rendered in {time.monotonic() - started:.2f} s ({len(content)} bytes)")
    reader = PdfReader(io.BytesIO(content))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture(autouse=True)
def _programme_named(programme):
    """Named before ``cohort`` is built from it."""
    programme.name = "North West Leadership Cohort 2025"
    programme.save()


def test_the_anonymised_pdf_names_the_programme_and_qualities_and_no_leader(
    programme, framework, cohort
):
    reader, text = _render(programme, named=False)

    assert len(reader.pages) >= 4
    assert "North West Leadership Cohort 2025" in text
    assert "As of" in text
    for quality in ("Authenticity", "Mindset", "Trust", "Delivery", "System Influence"):
        assert quality in text
    assert names_in(text) == []
    pseudonym = leader_pseudonym(programme_id=programme.pk, assessment_id=cohort[0].pk)
    assert pseudonym in text


def test_the_named_pdf_names_the_leaders(programme, cohort):
    _, text = _render(programme, named=True)

    assert names_in(text) == list(NAMES)


def test_the_heatmap_prints_shown_scores_and_hides_what_reports_hide(programme, cohort):
    context = cohort_pdf_context(data=cohort_data(programme=programme, named=True))
    rows = {row["label"]: row["cells"] for row in context["heat_rows"]}

    assert all(cell.hidden and cell.text == "\u2013" for cell in rows["Casey Third"])
    assert all(not cell.hidden and cell.band.startswith("heat-") for cell in rows["Drew Fourth"])
    assert any(
        "fewer than 3 raters other than the line manager" in r for r in context["heat_reasons"]
    )
    # The gap strip: one dot per leader whose report shows the gap (Casey has none).
    assert {row.count for row in context["strip"].rows} == {3}
    assert "3 leaders, median gap" in context["strip"].description
