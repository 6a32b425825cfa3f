"""Read a workbook as counties fill it: title rows, merged cells, footers and all.

python-calamine reads the cells (about ten times faster than openpyxl) and gives the
merged ranges; openpyxl is the fallback when calamine cannot (merged ranges missing,
or a file calamine refuses). Every sheet with a recognisable header row among its
first ``HEADER_SEARCH_ROWS`` rows is read; the others are reported and skipped.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from zhucun.workbooks.safety import WorkbookRefused
from zhucun.workbooks.values import INVISIBLE, clean_text, fold, is_blank

HEADER_SEARCH_ROWS = 10
SEQUENCE_HEADER = "序号"
# Marks people put on required headers: 姓名*, ※姓名, 姓名（必填）.
_HEADER_MARKS = re.compile(r"[*＊※]|\(必填\)|\(选填\)")
# Rows that are not data. A subtotal is skipped; a note ends the sheet.
_SKIP_ROW = re.compile(
    r"^(合计|总计|小计|共计|填表人|制表人|审核人|负责人|填报单位|填报日期|填报时间)"
)
_END_ROW = re.compile(r"^(备注|说明|填表说明|注[:：0-9一二三①])")


def normalize_header(value) -> str:
    """The key a header cell is matched by: brackets, spaces and * marks ignored."""
    return _HEADER_MARKS.sub("", fold(value))


@dataclass
class SourceRow:
    """One data row of a sheet, merged cells already applied."""

    sheet: str
    number: int  # the Excel row number (1-based), as the clerk sees it
    cells: list  # every cell of the row, for the error workbook
    raw: dict[str, object]  # canonical column name → non-blank cell value


@dataclass
class SheetData:
    name: str
    header_row: int  # Excel row number of the header
    header_cells: list
    columns: dict[int, str]  # column index → canonical column name
    unknown_columns: list[str]
    missing_columns: list[str]
    rows: list[SourceRow] = field(default_factory=list)


@dataclass
class WorkbookData:
    sheets: list[SheetData]
    skipped_sheets: list[str]
    blank: bool = False  # no sheet holds a single non-blank cell

    @property
    def rows(self) -> Iterable[SourceRow]:
        for sheet in self.sheets:
            yield from sheet.rows


class ColumnSpec:
    """What the reader needs to know of a column: its name, aliases, requiredness."""

    column_name: str
    aliases: Sequence[str]
    required: bool


def read_workbook(path: str | Path, columns: Sequence[ColumnSpec]) -> WorkbookData:
    """Every sheet of ``path`` that has a header row made of ``columns``."""
    # 序号 is known to every kind (it numbers the rows) and never imported.
    keys: dict[str, str] = {normalize_header(SEQUENCE_HEADER): SEQUENCE_HEADER}
    for column in columns:
        for name in (column.column_name, *column.aliases):
            keys.setdefault(normalize_header(name), column.column_name)
    required = [c.column_name for c in columns if c.required]
    sheets, skipped, blank = [], [], True
    for name, grid, merges in _grids(Path(path)):
        sheet = _read_sheet(name, grid, merges, keys, required)
        if sheet is None:
            skipped.append(name)
            blank = blank and all(_blank(v) for row in grid for v in row)
        else:
            sheets.append(sheet)
            blank = False
    return WorkbookData(sheets=sheets, skipped_sheets=skipped, blank=blank)


def _grids(path: Path):
    """(sheet name, rows of cells from A1, merged ranges) for every worksheet."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = [
            meta.name
            for meta in book.sheets_metadata
            if meta.typ == SheetTypeEnum.WorkSheet
        ]
        grids = []
        for name in names:
            sheet = book.get_sheet_by_name(name)
            grid = sheet.to_python(skip_empty_area=False) if sheet.height else []
            grids.append((name, grid, sheet.merged_cell_ranges))
        book.close()
    except (CalamineError, ValueError):
        yield from openpyxl_grids(path)
        return
    fallback = None
    for name, grid, merges in grids:
        if merges is None:
            if fallback is None:
                fallback = {n: m for n, _g, m in openpyxl_grids(path)}
            merges = fallback.get(name, [])
        yield name, grid, merges


def openpyxl_grids(path: Path):
    """The same as calamine gives, read by openpyxl (slower; the fallback)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception:  # noqa: BLE001 - whatever the cause, the file cannot be read
        raise WorkbookRefused(
            _("文件已损坏，无法作为Excel工作簿（.xlsx）打开。")
        ) from None
    try:
        for sheet in book.worksheets:
            grid = [list(row) for row in sheet.iter_rows(values_only=True)]
            merges = [
                ((r.min_row - 1, r.min_col - 1), (r.max_row - 1, r.max_col - 1))
                for r in sheet.merged_cells.ranges
            ]
            yield sheet.title, grid, merges
    finally:
        book.close()


def _find_header(grid: list[list], keys: dict[str, str], required: list[str]):
    best, best_count = None, 1
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {keys.get(normalize_header(v)) for v in row if not is_blank(v)}
        found.discard(None)
        if len(found) > best_count and (not required or found & set(required)):
            best, best_count = index, len(found)
    return best


def _merged_values(grid: list[list], merges, header: int, wanted) -> dict:
    """{(row, column): value} for the cells of ``wanted`` columns a merge below the
    header covers (only those are ever looked up: a wide merge costs nothing more)."""
    covered: dict[tuple[int, int], object] = {}
    for (top, left), (bottom, right) in merges or ():
        if top <= header or top >= len(grid):
            continue
        source = grid[top]
        value = source[left] if left < len(source) else None
        if is_blank(value):
            continue
        columns = [c for c in wanted if left <= c <= right]
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            for c in columns:
                covered[(r, c)] = value
    return covered


def _first_text(row: list) -> str:
    """The row's first non-blank cell, folded, when it is text (footers are text)."""
    for value in row:
        if value is not None and value != "" and not is_blank(value):
            return fold(value) if type(value) is str else ""
    return ""


def _blank(value) -> bool:
    """``is_blank``, with the common cases decided without a call."""
    if value is None or value == "":
        return True
    if type(value) is not str:
        return False
    first = value[0]
    return (first.isspace() or first in INVISIBLE) and is_blank(value)


def _read_sheet(name, grid, merges, keys, required) -> SheetData | None:
    header = _find_header(grid, keys, required)
    if header is None:
        return None
    header_cells = list(grid[header])
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header_cells):
        if is_blank(cell):
            continue
        canonical = keys.get(normalize_header(cell))
        if canonical is None:
            unknown.append(clean_text(cell))
        elif canonical not in columns.values():
            columns[index] = canonical
        else:
            unknown.append(clean_text(cell))
    missing = [c for c in required if c not in columns.values()]
    sheet = SheetData(
        name=name,
        header_row=header + 1,
        header_cells=header_cells,
        columns=columns,
        unknown_columns=unknown,
        missing_columns=missing,
    )
    content = {i for i, c in columns.items() if c != SEQUENCE_HEADER}
    header_keys = {i: normalize_header(header_cells[i]) for i in content}
    merged = _merged_values(grid, merges, header, sorted(columns))
    mapped = list(columns.items())
    for index in range(header + 1, len(grid)):
        row = grid[index]
        width = len(row)
        first = _first_text(row)
        if first and _END_ROW.match(first):
            break
        # Only non-blank values are kept; a merged range fills the cells it covers.
        raw: dict[str, object] = {}
        own = []
        for i, column in mapped:
            value = row[i] if i < width else None
            if _blank(value):
                if merged:
                    value = merged.get((index, i))
                    if value is not None:
                        raw[column] = value
                continue
            raw[column] = value
            if i in content:
                own.append(i)
        if not own:
            continue  # blank, or only a 序号 or merged cells: not a row of data
        if _SKIP_ROW.match(first):
            continue
        if all(normalize_header(row[i]) == header_keys[i] for i in own):
            continue  # the header repeated (printed page breaks)
        sheet.rows.append(SourceRow(sheet=name, number=index + 1, cells=row, raw=raw))
    return sheet
