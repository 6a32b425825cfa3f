"""Write workbooks that Excel opens as data and never as formulas.

A text cell that begins with ``= + - @``, a tab, CR or LF is what Excel (and the
programs that read its files) may take for a formula (CSV/formula injection). Such a
cell is written with the string type forced (``data_type = "s"``; openpyxl would
otherwise store ``=…`` as a formula) and Excel's quote-prefix style, so Excel shows
the text as typed and keeps it text when the cell is edited. The value itself is not
changed, so an exported workbook re-imports to the same values.
身份证号码 and 联系电话 columns are formatted as text (``@``) so that Excel never turns
an 18-digit ID into a number when someone edits it.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = 'yyyy"年"m"月"'
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL = PatternFill("solid", fgColor="FFF2F2F2")
_ERROR_FILL = PatternFill("solid", fgColor="FFFDE2E1")


@dataclass
class SheetLayout:
    """How one sheet looks: title lines above the header, column formats."""

    name: str
    headers: Sequence[str]
    title_lines: Sequence[str] = ()
    text_columns: set[int] = field(default_factory=set)  # formatted as text (@)
    month_columns: set[int] = field(default_factory=set)  # dates shown as 年月
    widths: dict[int, int] = field(default_factory=dict)
    highlight_column: int | None = None  # a column whose non-blank cells are shaded


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def data_cell(sheet, value, *, text: bool = False, month: bool = False):
    """A cell for ``value`` that Excel will never evaluate."""
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if text and value is not None and not isinstance(value, str):
        value = str(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl stores a string starting with "=" as a formula: force text.
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    if text:
        cell.number_format = TEXT_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = MONTH_FORMAT if month else DATE_FORMAT
    return cell


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "Sheet"
    base = base[:31]
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f"({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def write_workbook(target, sheets: Iterable[tuple[SheetLayout, Iterable[list]]]):
    """Write sheets of rows to ``target`` (a path or a binary file)."""
    book = openpyxl.Workbook(write_only=True)
    taken: set[str] = set()
    wrote_any = False
    for layout, rows in sheets:
        wrote_any = True
        _write_sheet(book, layout, rows, taken)
    if not wrote_any:
        _write_sheet(book, SheetLayout(name="Sheet", headers=[]), [], taken)
    book.save(target)


def _write_sheet(book, layout: SheetLayout, rows: Iterable[list], taken: set[str]):
    sheet = book.create_sheet(sheet_title(layout.name, taken))
    for index, header in enumerate(layout.headers):
        width = layout.widths.get(index) or max(10, min(40, 2 * len(header) + 4))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    for number, line in enumerate(layout.title_lines):
        cell = data_cell(sheet, line)
        cell.font = Font(bold=number == 0, size=14 if number == 0 else 10)
        sheet.append([cell])
    header_cells = []
    for header in layout.headers:
        cell = data_cell(sheet, header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    text_columns, month_columns = layout.text_columns, layout.month_columns
    highlight = layout.highlight_column
    for row in rows:
        cells = [
            data_cell(sheet, value, text=i in text_columns, month=i in month_columns)
            for i, value in enumerate(row)
        ]
        if highlight is not None and highlight < len(row) and row[highlight]:
            for cell in cells:
                cell.fill = _ERROR_FILL
        sheet.append(cells)
