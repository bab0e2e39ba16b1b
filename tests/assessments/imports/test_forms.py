"""Reading an uploaded file of leaders into rows, and refusing files that cannot be used
(assessments.forms.imports)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from assessments.forms.imports import MAX_ROWS, leader_file_read

from .conftest import csv_text, csv_upload, xlsx_bytes, xlsx_upload


def read(upload):
    return leader_file_read(upload=upload)


# Reading ---------------------------------------------------------------------------------


def test_a_csv_is_read_row_by_row_with_emails_lowercased_and_names_tidied():
    leader_file = read(csv_upload([["  Ada   Lovelace ", " ADA@Example.NHS.uk ", "", "", ""]]))
    (row,) = leader_file.rows
    assert (row.row, row.name, row.email) == (2, "Ada Lovelace", "ada@example.nhs.uk")
    assert leader_file.headings["email"] == ("email", "B")


def test_utf8_with_a_byte_order_mark_is_read():
    data = "\ufeff" + csv_text([["Chloé Dubois", "chloe@example.nhs.uk", "", "", ""]])
    leader_file = read(SimpleUploadedFile("l.csv", data.encode("utf-8")))
    assert leader_file.headings["name"] == ("name", "A")
    assert leader_file.rows[0].name == "Chloé Dubois"


def test_a_windows_1252_csv_is_read():
    leader_file = read(
        csv_upload([["Chloé Dubois", "chloe@example.nhs.uk", "", "", ""]], encoding="cp1252")
    )
    assert leader_file.rows[0].name == "Chloé Dubois"


def test_headings_are_matched_in_any_case_with_spaces_and_full_name_is_accepted():
    data = (
        " Full Name ,EMAIL,Line Manager Email,line manager name\n"
        "Ada,ada@example.nhs.uk,m@example.nhs.uk,Mo\n"
    )
    row = read(SimpleUploadedFile("l.csv", data.encode())).rows[0]
    assert (row.name, row.email, row.line_manager_email, row.line_manager_name) == (
        "Ada",
        "ada@example.nhs.uk",
        "m@example.nhs.uk",
        "Mo",
    )


def test_semicolon_separated_files_from_european_spreadsheets_are_read():
    rows = read(csv_upload([["Ada", "ada@example.nhs.uk", "", "", ""]], delimiter=";")).rows
    assert rows[0].email == "ada@example.nhs.uk"


def test_empty_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    data = "name,email\n\nAda,ada@example.nhs.uk\n,\nBen,ben@example.nhs.uk\n"
    rows = read(SimpleUploadedFile("l.csv", data.encode())).rows
    assert [(r.row, r.name) for r in rows] == [(3, "Ada"), (5, "Ben")]


def test_the_first_sheet_of_an_xlsx_is_read_as_text():
    rows = read(
        xlsx_upload(
            [
                ["Ada Lovelace", "ada@example.nhs.uk", None, None, None],
                [12345, "ben@example.nhs.uk"],
            ]
        )
    ).rows
    assert [(r.row, r.name, r.email) for r in rows] == [
        (2, "Ada Lovelace", "ada@example.nhs.uk"),
        (3, "12345", "ben@example.nhs.uk"),
    ]


@pytest.mark.parametrize(
    ("headings", "expected"),
    [
        (["name"], 'needs a column headed "email"'),
        (["email", "surname"], 'Column B is headed "surname", which is not a heading'),
        (["name", "email", "Email"], 'There are two "email" columns'),
        (["name", "email", "line manger email"], "line manger email"),
    ],
)
def test_missing_unknown_and_repeated_headings_are_named(headings, expected):
    with pytest.raises(ValidationError) as caught:
        read(csv_upload([["x"] * len(headings)], headings))
    assert any(expected in message for message in caught.value.messages)
    assert any("first row must hold the column headings" in m for m in caught.value.messages)


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (SimpleUploadedFile("leaders.pdf", b"%PDF-1.4"), "must be a CSV or an Excel workbook"),
        (SimpleUploadedFile("leaders.xls", b"\xd0\xcf\x11\xe0"), "Excel 97-2003 (.xls)"),
        (SimpleUploadedFile("leaders.csv", b"  \r\n "), "The selected file is empty"),
        (
            SimpleUploadedFile("leaders.csv", b"name,email\r\n"),
            "has column headings but no leaders",
        ),
        (SimpleUploadedFile("leaders.csv", b"name,email\x00\x01\x02"), "could not be read as CSV"),
        (SimpleUploadedFile("leaders.csv", b"\x81\x8d\x8f\x90\x9d"), "could not be read as CSV"),
        (SimpleUploadedFile("leaders.xlsx", b"not a zip at all"), "could not be read as an Excel"),
        (SimpleUploadedFile("leaders.xlsx", b"PK\x03\x04broken"), "could not be read as an Excel"),
        (SimpleUploadedFile("leaders.csv", xlsx_bytes([])), "is an Excel workbook, not a CSV"),
        (SimpleUploadedFile("leaders.csv", b"x" * (2 * 1024 * 1024 + 1)), "smaller than 2 MB"),
    ],
)
def test_files_that_cannot_be_used_are_refused_with_a_clear_message(upload, expected):
    with pytest.raises(ValidationError) as caught:
        read(upload)
    assert expected in " ".join(caught.value.messages)


def test_more_than_the_most_rows_is_refused():
    rows = [[f"Leader {i}", f"leader{i}@example.nhs.uk"] for i in range(MAX_ROWS + 1)]
    with pytest.raises(ValidationError, match="more than 5,000 leaders"):
        read(csv_upload(rows, ["name", "email"]))
    assert len(read(csv_upload(rows[:MAX_ROWS], ["name", "email"])).rows) == MAX_ROWS


def test_a_file_of_blank_lines_is_refused_without_reading_it_all():
    data = b"name,email\n" + b",\n" * 30_000 + b"Ada,ada@example.nhs.uk\n"
    with pytest.raises(ValidationError, match="counting empty ones"):
        read(SimpleUploadedFile("l.csv", data))


def test_a_formula_is_never_evaluated_only_its_saved_value_is_read():
    workbook = Workbook()
    workbook.active.append(["name", "email"])
    workbook.active.append(['=HYPERLINK("http://evil")', "ada@example.nhs.uk"])
    out = io.BytesIO()
    workbook.save(out)  # openpyxl saves no computed value: the cell reads as empty
    (row,) = read(SimpleUploadedFile("l.xlsx", out.getvalue())).rows
    assert (row.name, row.email) == ("", "ada@example.nhs.uk")
