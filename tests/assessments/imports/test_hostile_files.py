"""Files made to hurt: huge headings, overlong rows, thousands of problems. Each is refused
early with a short page, and no page lists more than a screenful of problems."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.forms.imports import MAX_COLUMNS
from assessments.services.imports import MAX_LISTED_PROBLEMS


def upload(client, programme, name, content: bytes):
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("imports:upload", args=[programme.pk]), {"file": file})


def test_a_file_with_250000_heading_columns_gets_a_short_error_page(admin_client, programme):
    headings = ",".join(f"h{n}" for n in range(250_000)).encode()
    assert 1_500_000 < len(headings) < 2 * 1024 * 1024  # the 1.9 MB file of the report
    response = upload(admin_client, programme, "wide.csv", headings + b"\nA,a@example.nhs.uk\n")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 100_000
    assert f"more than {MAX_COLUMNS} columns" in html
    assert not programme.assessments.exists()


def test_a_data_row_wider_than_the_limit_is_refused(admin_client, programme):
    wide_row = "Ann,ann@example.nhs.uk," + ",".join("x" for _ in range(100_000))
    content = f"name,email\n{wide_row}\n".encode()
    response = upload(admin_client, programme, "wide-row.csv", content)
    html = response.content.decode()
    assert len(response.content) < 100_000
    assert f"Row 2 has more than {MAX_COLUMNS} columns" in html


def test_thousands_of_row_problems_are_listed_up_to_a_limit_with_how_many_more(
    admin_client, programme
):
    rows = "\n".join(f"Person {n},not-an-email-{n}" for n in range(3000))
    response = upload(admin_client, programme, "bad.csv", f"name,email\n{rows}\n".encode())
    html = response.content.decode()
    assert response.status_code == 200
    assert "3,000 problems in 3,000 rows" in html
    assert len(re.findall(r'<tr class="nhsuk-table__row" role="row">', html)) <= (
        MAX_LISTED_PROBLEMS + 1
    )
    assert f"and {3000 - MAX_LISTED_PROBLEMS:,} more problems are not" in html
    assert len(response.content) < 200_000


def _with_entity(xlsx: bytes) -> bytes:
    """The same workbook, its sheet declaring an XML entity and using it."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace("Ann Leader", "&who;", 1)
                assert "&who;" in text
                data = ('<!DOCTYPE worksheet [<!ENTITY who "Ann Leader">]>' + text).encode()
            target.writestr(item, data)
    return out.getvalue()


def test_an_excel_file_declaring_xml_entities_is_refused_unread(admin_client, programme):
    """openpyxl parses with defusedxml, as its documentation asks for untrusted files."""
    from tests.assessments.imports.conftest import xlsx_bytes

    content = _with_entity(xlsx_bytes([("Ann Leader", "ann@example.nhs.uk")]))
    file = SimpleUploadedFile("entity.xlsx", content)
    response = admin_client.post(reverse("imports:upload", args=[programme.pk]), {"file": file})
    assert "could not be read as an Excel workbook" in response.content.decode()
    assert not programme.assessments.exists()
