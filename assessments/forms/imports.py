"""Forms for a programme's people: importing leaders from a file, adding and removing
staff, choosing a leader's facilitator.

An uploaded file of leaders is read here, into a ``LeaderFile`` of text rows: a file that
cannot be used (wrong type, too big, unreadable, headings missing or unknown, too many
rows) is a form error. Checking the rows against the programme is the service's job
(``assessments.services.imports``). Cells are only ever read as text: nothing in a file is
evaluated, and an Excel formula counts as the value Excel last saved for it.
"""

import csv
import io
import zipfile
from pathlib import PurePath

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Role, User

from ..services.imports import COLUMNS, LeaderFile, LeaderRow
from ..services.staff import ROLE_NOUNS

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_SCANNED_ROWS = 20_000  # empty rows included: stops a file of blank lines early
MAX_COLUMNS = 30  # a wider row is refused before its cells are looked at
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # an .xlsx is a zip: refuse a "zip bomb"

REQUIRED_COLUMNS = ("name", "email")
# A heading is matched in any case, with spaces or underscores; these are accepted too.
HEADING_ALIASES = {"full_name": "name", "email_address": "email"}
EMAIL_COLUMNS = ("email", "line_manager_email", "facilitator_email")

CSV_UNREADABLE = (
    "The selected file could not be read as CSV. Save it from your spreadsheet as "
    "'CSV UTF-8 (comma delimited)' and upload it again."
)
XLSX_UNREADABLE = (
    "The selected file could not be read as an Excel workbook. Save it as an Excel "
    "Workbook (.xlsx) or as CSV and upload it again."
)

# Reading an uploaded file ----------------------------------------------------------------


def leader_file_read(*, upload) -> LeaderFile:
    """Read an uploaded CSV (UTF-8, with or without BOM, or Windows-1252) or the first sheet
    of an .xlsx. Raises ValidationError, with a message for the person who chose the file,
    when the file itself cannot be used: wrong type, too big, empty, unreadable, headings
    missing or unknown, too many rows."""
    filename = PurePath(upload.name or "").name
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls":
        raise ValidationError(
            "Excel 97-2003 (.xls) files cannot be read. Save it as an Excel Workbook (.xlsx) "
            "or as CSV and upload it again."
        )
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError("The selected file must be a CSV or an Excel workbook (.xlsx)")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("The selected file must be smaller than 2 MB")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError("The selected file must be smaller than 2 MB")
    if not data.strip():
        raise ValidationError("The selected file is empty")
    cells = _xlsx_cells(data) if suffix == ".xlsx" else _csv_cells(data)
    return _leader_file(filename, cells)


def _csv_cells(data: bytes):
    if data.startswith(b"PK\x03\x04"):
        raise ValidationError(
            "The selected file is an Excel workbook, not a CSV. Give it the .xlsx ending, or "
            "save it as CSV, and upload it again."
        )
    if b"\x00" in data:
        raise ValidationError(CSV_UNREADABLE)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(CSV_UNREADABLE)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # Spreadsheets in some languages separate with semicolons or tabs.
    delimiter = max(",;\t", key=first_line.count) if first_line.strip() else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise ValidationError(
            f"The selected file could not be read as CSV near line {reader.line_num}: {error}"
        ) from error


def _xlsx_cells(data: bytes):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ValidationError(XLSX_UNREADABLE) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError("The selected workbook is too large once unpacked. Save it as CSV.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValidationError(XLSX_UNREADABLE) from error
    try:
        sheet = workbook.worksheets[0]
        # One column more than allowed, so that a wider sheet is noticed and refused.
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        for number, values in enumerate(rows, start=1):
            yield number, [_cell_text(value) for value in values]
    except ValidationError:
        raise
    except Exception as error:
        raise ValidationError(XLSX_UNREADABLE) from error
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _heading_key(text: str) -> str:
    key = "_".join(text.lower().replace("-", " ").replace("_", " ").split())
    return HEADING_ALIASES.get(key, key)


def _headings(cells: list[str]) -> dict[str, int]:
    """Each known column's index. Raises ValidationError listing every heading problem."""
    found: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        column = _heading_key(text)
        if column not in COLUMNS:
            problems.append(
                f'Column {column_letter(index)} is headed "{text[:60]}", which is not a '
                "heading this import knows."
            )
        elif column in found:
            problems.append(f'There are two "{column}" columns: keep one.')
        else:
            found[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in found:
            problems.append(f'The file needs a column headed "{column}".')
    if problems:
        problems.append(
            "The first row must hold the column headings: name, email and, if you use them, "
            "line_manager_name, line_manager_email, facilitator_email. Download the template "
            "to see them."
        )
        raise ValidationError(problems)
    return found


def _leader_file(filename: str, numbered_cells) -> LeaderFile:
    headings: dict[str, int] | None = None
    heading_cells: list[str] = []
    rows: list[LeaderRow] = []
    for number, cells in numbered_cells:
        if number > MAX_SCANNED_ROWS:
            raise ValidationError(
                f"The selected file has more than {MAX_SCANNED_ROWS:,} rows, counting empty "
                "ones. Delete the empty rows at its end and upload it again."
            )
        if not any(cell.strip() for cell in cells):
            continue
        _width_checked(number, cells, headings=headings is None)
        if headings is None:
            headings, heading_cells = _headings(cells), cells
            continue
        if len(rows) == MAX_ROWS:
            raise ValidationError(
                f"The selected file has more than {MAX_ROWS:,} leaders. Split it into files "
                f"of up to {MAX_ROWS:,} leaders and import them one after the other."
            )
        rows.append(_leader_row(number, cells, headings))
    if headings is None:
        raise ValidationError("The selected file is empty")
    if not rows:
        raise ValidationError(
            "The selected file has column headings but no leaders. Add a row for each leader "
            "under the headings."
        )
    return LeaderFile(
        filename=filename,
        headings={
            column: (heading_cells[index].strip()[:60], column_letter(index))
            for column, index in headings.items()
        },
        rows=rows,
    )


def _width_checked(number: int, cells: list[str], *, headings: bool) -> None:
    """Refuse a row with a value beyond the last column allowed (empty cells at the end of
    a row, as spreadsheets save them, are fine)."""
    if len(cells) <= MAX_COLUMNS or not any(cell.strip() for cell in cells[MAX_COLUMNS:]):
        return
    what = "The first row (the headings)" if headings else f"Row {number}"
    raise ValidationError(
        f"{what} has more than {MAX_COLUMNS} columns. A file of leaders needs only the "
        "columns of the template: delete the others and upload it again."
    )


def _leader_row(number: int, cells: list[str], headings: dict[str, int]) -> LeaderRow:
    values = {}
    for column, index in headings.items():
        text = cells[index].strip() if index < len(cells) else ""
        values[column] = text.lower() if column in EMAIL_COLUMNS else " ".join(text.split())
    known = set(headings.values())
    stray = [column_letter(i) for i, cell in enumerate(cells) if i not in known and cell.strip()]
    return LeaderRow(row=number, stray_cells=", ".join(stray), **values)


# Forms ---------------------------------------------------------------------------------


class LeaderImportForm(forms.Form):
    """A file of leaders. Once valid, ``cleaned_data["file"]`` is the ``LeaderFile`` read."""

    file = forms.FileField(
        label="Upload a file of leaders",
        help_text=f"A CSV or Excel (.xlsx) file, up to 2 MB and {MAX_ROWS:,} leaders.",
        error_messages={
            "required": "Select a CSV or Excel file of leaders",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV or Excel file of leaders",
            "missing": "Select a CSV or Excel file of leaders",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = (
            ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("upload", "Upload and check"))

    def clean_file(self):
        return leader_file_read(upload=self.cleaned_data["file"])


class LeaderImportConfirmForm(forms.Form):
    """The import checked on the previous page: which one (``token``) and what it showed
    (``fingerprint``). The rows themselves never leave the server."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput)


class StaffAddForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=[(role.value, ROLE_NOUNS[role].capitalize()) for role in ROLE_NOUNS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they are a programme admin or a facilitator"},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        required=False,
        help_text="Only needed if they do not have an account yet.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = FormHelper()
        self.helper.add_input(Submit("add", "Add to the programme"))

    def clean_role(self):
        return Role(self.cleaned_data["role"])


class FacilitatorForm(forms.Form):
    facilitator = forms.ModelChoiceField(
        label="Facilitator",
        queryset=User.objects.none(),
        required=False,
        empty_label="No facilitator",
        error_messages={"invalid_choice": "Choose one of the programme's facilitators"},
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = programme.facilitators.order_by("full_name")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save"))
