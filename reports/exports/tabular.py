"""CSV and XLSX writers for cohort exports, safe to open in a spreadsheet.

Cells arrive typed: ``None`` (empty), ``int`` or ``Decimal`` (numbers), ``str`` (text).

Formula injection. Leaders' names are typed by people, and a spreadsheet evaluates a cell
that starts with ``=``, ``+``, ``-`` or ``@`` (and some read a leading tab or carriage
return the same way). Every *text* cell starting with one of those is prefixed with a single
quote ``'``, in CSV and in XLSX alike, so it is shown as typed and never evaluated.

Numbers are never prefixed. In XLSX they are numeric cells at full precision (a negative
gap is the number -0.5, not text). In CSV they are written by us, from ``int`` or
``Decimal``, as plain decimals with 4 places (``-0.5000``): they match ``-?\\d+(\\.\\d+)?``
and nothing else, which every spreadsheet reads as a constant and cannot evaluate as a
formula, so they stay numbers there too. Text that merely looks like a number, such as a
leader named ``-1``, is text and is prefixed like any other.

CSV files are UTF-8 with a byte order mark, so spreadsheet apps read accented names right.
XLSX workbooks are written by openpyxl in write-only mode (rows streamed, not held as cell
objects); characters XML cannot hold are dropped from text.

XLSX sheets open ready to read: the header row is bold and frozen; decimals keep full
precision in the cell but are shown with one decimal (number format ``0.0``, as in the
reports), counts as whole numbers; each column is as wide as its header and the first
``WIDTH_SAMPLE`` rows need, up to ``MAX_WIDTH`` characters, past which text wraps.
"""

import csv
import io
import itertools
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_PLACES = Decimal("0.0001")
DECIMAL_FORMAT = "0.0"  # one decimal, as every report prints its scores
WHOLE_FORMAT = "0"
WIDTH_SAMPLE = 200  # rows read ahead to size the columns
MIN_WIDTH, MAX_WIDTH = 8, 60  # in characters; longer text wraps
NUMBER_WIDTH = 8


@dataclass(frozen=True)
class Table:
    """One sheet of a workbook, or one CSV file."""

    name: str  # the sheet's title (at most 31 characters) or the CSV file's name stem
    header: Sequence[str]
    rows: Iterable[Sequence]


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as typed: a leading formula character gets a quote."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("Write yes/no as text, not a boolean.")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        number = Decimal(str(value)) if isinstance(value, float) else value
        return f"{number.quantize(CSV_PLACES, rounding=ROUND_HALF_UP):f}"
    return neutralise(str(value))


def xlsx_value(value):
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, Decimal | float):
        return float(value)
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(h) for h in table.header])
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def csv_zip_bytes(tables: Sequence[Table], *, about: str = "") -> bytes:
    """A zip holding one CSV file per table, and ``about.txt`` when ``about`` is given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{table.name}.csv", csv_bytes(table))
        if about:
            archive.writestr("about.txt", about.encode("utf-8"))
    return buffer.getvalue()


def xlsx_bytes(tables: Sequence[Table], *, title: str = "", about: Sequence = ()) -> bytes:
    """A workbook with one sheet per table (header in bold, frozen), then an About sheet
    with ``about``'s (label, value) pairs when given."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)[:200]
    workbook.properties.creator = "LPC 360"
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.name[:31])
        sheet.freeze_panes = "A2"
        rows = iter(table.rows)
        sample = list(itertools.islice(rows, WIDTH_SAMPLE))
        wrapped = _size_columns(sheet, table.header, sample)
        sheet.append([_bold_cell(sheet, h, bold) for h in table.header])
        for row in itertools.chain(sample, rows):
            sheet.append([_cell(sheet, value, i in wrapped) for i, value in enumerate(row)])
    if about:
        sheet = workbook.create_sheet(title="About")
        _size_columns(sheet, ("", ""), [(label, value) for label, value in about])
        for label, value in about:
            sheet.append([_bold_cell(sheet, label, bold), _cell(sheet, value, True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        return NUMBER_WIDTH
    return max((len(line) for line in str(value).splitlines()), default=0)


def _size_columns(sheet, header, sample) -> set[int]:
    """Set each column's width from its header and sample; the columns whose text wraps."""
    wrapped = set()
    for index, name in enumerate(header):
        natural = max([_width(name)] + [_width(r[index]) for r in sample if index < len(r)])
        if natural > MAX_WIDTH:
            wrapped.add(index)
        width = min(max(natural, MIN_WIDTH), MAX_WIDTH) + 2
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    return wrapped


def _cell(sheet, value, wrap: bool):
    cell = WriteOnlyCell(sheet, value=xlsx_value(value))
    if isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        cell.number_format = WHOLE_FORMAT
    elif isinstance(value, Decimal | float):
        cell.number_format = DECIMAL_FORMAT
    elif wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _bold_cell(sheet, value, font):
    cell = WriteOnlyCell(sheet, value=xlsx_value(value))
    cell.font = font
    return cell
