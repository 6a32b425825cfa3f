"""Build workbooks the way counties fill them (openpyxl, in the test), run the commands.

No binary fixture is committed: every test writes the workbook it reads.
"""

import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import openpyxl
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from zhucun.workbooks.kinds import resource_class


def headers(kind: str) -> list[str]:
    """The exact header names of a kind, in the spec's order."""
    return [c.column_name for c in resource_class(kind).export_columns()]


def write_xlsx(
    path: Path,
    sheets: Mapping[str, Sequence[Sequence]] | Sequence[Sequence],
    *,
    merges: Mapping[str, Iterable[str]] | None = None,
    text_formats: Mapping[str, Iterable[str]] | None = None,
) -> Path:
    """Write rows to ``path``; ``sheets`` is {name: rows} or the rows of one sheet."""
    if not isinstance(sheets, Mapping):
        sheets = {"Sheet1": sheets}
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for cell_range in (merges or {}).get(name, ()):
            sheet.merge_cells(cell_range)
        for column in (text_formats or {}).get(name, ()):
            for cell in sheet[column]:
                cell.number_format = "@"
    book.save(path)
    return path


def table(kind: str, rows: Iterable[Mapping], *, title: str | None = None) -> list:
    """A header row (with an optional title row above) and rows given as dicts."""
    names = headers(kind)
    out = [[title]] if title else []
    out.append(names)
    out.extend([row.get(name) for name in names] for row in rows)
    return out


def run(command: str, *args) -> tuple[int, str]:
    """(exit code, stdout) of a management command, as the shell would see them."""
    out = io.StringIO()
    err = io.StringIO()
    try:
        call_command(command, *[str(a) for a in args], stdout=out, stderr=err)
    except CommandError as exc:
        return 1, out.getvalue() + str(exc)
    return 0, out.getvalue()


def error_lines(output: str) -> list[tuple[str, str, str]]:
    """The ``ROW<TAB>COLUMN<TAB>MESSAGE`` lines of an import's output."""
    return [
        tuple(line.split("\t", 2))
        for line in output.splitlines()
        if line.count("\t") >= 2
    ]


def read_xlsx(path: Path) -> dict[str, list[list]]:
    """Every sheet's cells as calamine reads them (from A1)."""
    book = CalamineWorkbook.from_path(str(path))
    return {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in book.sheet_names
    }
