"""The findings list as an xlsx workbook: a title row, Chinese headers, one row each.

Every text cell is stored as text. A cell that starts with = + - @ or a tab,
carriage return or line feed is also marked "quote prefix", so that neither
Excel nor WPS ever takes it for a formula, not even after a user edits it: a
village or person name typed as ``=HYPERLINK(…)`` stays a name.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from compliance.models import FindingRecord

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A workbook of more rows than this is refused: narrow the filters instead.
MAX_ROWS = 100_000

COLUMNS = (
    # (header, width)
    (gettext_lazy("规则代码"), 32),
    (gettext_lazy("规则"), 30),
    (gettext_lazy("条款"), 12),
    (gettext_lazy("级别"), 8),
    (gettext_lazy("对象类型"), 12),
    (gettext_lazy("对象"), 36),
    (gettext_lazy("所属县"), 14),
    (gettext_lazy("县代码"), 10),
    (gettext_lazy("期间"), 16),
    (gettext_lazy("问题说明"), 80),
    (gettext_lazy("检查日期"), 12),
)


def text_cell(sheet, value) -> WriteOnlyCell:
    """A cell holding ``value``; text is kept as text (see the module docstring)."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def _row(finding: FindingRecord) -> list:
    return [
        finding.rule,
        finding.rule_title,
        finding.clause,
        finding.get_severity_display(),
        finding.get_object_type_display(),
        finding.label,
        finding.county.name if finding.county_id else "",
        finding.county_code,
        finding.period_display,
        finding.message,
        finding.run.as_of,
    ]


def findings_workbook(findings: Iterable[FindingRecord], *, title: str) -> bytes:
    """The workbook of ``findings`` (at most ``MAX_ROWS`` are read) as bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("合规问题"))
    for index, (_header, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    heading = text_cell(sheet, title)
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    headers = []
    for header, _width in COLUMNS:
        cell = text_cell(sheet, str(header))
        cell.font = Font(bold=True)
        headers.append(cell)
    sheet.append(headers)
    wrap = Alignment(wrap_text=True, vertical="top")
    for finding in findings:
        cells = [text_cell(sheet, value) for value in _row(finding)]
        cells[-1].number_format = "yyyy-mm-dd"
        cells[-2].alignment = wrap
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
