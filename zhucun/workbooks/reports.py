"""The error workbook a clerk downloads: every problem, and the original rows marked."""

from collections import defaultdict
from collections.abc import Iterable

from django.utils.translation import gettext as _

from zhucun.workbooks.reading import WorkbookData
from zhucun.workbooks.writing import SheetLayout, write_workbook

ERROR_HEADER = "错误说明"


def write_error_workbook(target, book: WorkbookData | None, errors: Iterable) -> None:
    """A first sheet listing every error, then each sheet's rows plus an error column.

    ``errors`` are ``RowError``s (sheet, row, column, value, message).
    """
    errors = list(errors)
    by_row = defaultdict(list)
    for error in errors:
        by_row[(error.sheet, error.row)].append(
            f"{error.column}：{error.message}" if error.column else error.message
        )
    sheets = [
        (
            SheetLayout(
                name=_("错误清单"),
                headers=[
                    _("工作表"),
                    _("行号"),
                    _("列"),
                    _("填写的内容"),
                    ERROR_HEADER,
                ],
                title_lines=[
                    _("导入未完成：以下%(n)d个错误改正后，请重新导入整个文件。")
                    % {"n": len(errors)}
                ],
                widths={4: 60},
            ),
            [[e.sheet, e.row or "", e.column, e.value, e.message] for e in errors],
        )
    ]
    for sheet in book.sheets if book is not None else ():
        width = max(
            [len(sheet.header_cells), *(len(r.cells) for r in sheet.rows)], default=0
        )
        headers = [
            "" if cell is None else str(cell)
            for cell in list(sheet.header_cells)
            + [None] * (width - len(sheet.header_cells))
        ]
        rows = [
            list(row.cells)
            + [None] * (width - len(row.cells))
            + ["；".join(by_row.get((sheet.name, row.number), []))]
            for row in sheet.rows
        ]
        sheets.append(
            (
                SheetLayout(
                    name=sheet.name,
                    headers=[*headers, ERROR_HEADER],
                    title_lines=[
                        _("原表第%(row)d行是表头；有错误的行已标红，错误写在最后一列。")
                        % {"row": sheet.header_row}
                    ],
                    widths={width: 60},
                    highlight_column=width,
                ),
                rows,
            )
        )
    write_workbook(target, sheets)
