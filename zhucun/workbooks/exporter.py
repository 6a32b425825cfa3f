"""Export a kind in the layout it is imported in, scoped to the user.

身份证号码 and 联系电话 go out in full only to users who may see them
(``zhucun.roles.can_view_full_personal_data``) and to the system (command line
without ``--user``); each such export is recorded as one ``reveal`` audit entry.
Anyone else gets them masked, and the title row says that such a workbook cannot be
imported again.
"""

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhucun.access import user_scope
from zhucun.audit import audit_record_about
from zhucun.models import AuditEntry
from zhucun.pages import xlsx_attachment
from zhucun.roles import can_view_full_personal_data
from zhucun.workbooks.columns import DateWidget, IdNumberWidget, PhoneWidget
from zhucun.workbooks.kinds import TITLES, resource_class
from zhucun.workbooks.writing import SheetLayout, write_workbook

_TEXT_WIDGETS = (IdNumberWidget, PhoneWidget)
_TEXT_COLUMNS = {"村代码"}
_MONTH_COLUMNS = {"出生年月"}


@dataclass
class ExportResult:
    kind: str
    rows: int
    sheets: int
    full_personal_data: bool
    revealed: bool


def _layout_of(resource, name: str, title_lines: list[str]) -> SheetLayout:
    columns = resource.export_columns()
    return SheetLayout(
        name=name,
        headers=[c.column_name for c in columns],
        title_lines=title_lines,
        text_columns={
            i
            for i, c in enumerate(columns)
            if isinstance(c.widget, _TEXT_WIDGETS) or c.column_name in _TEXT_COLUMNS
        },
        month_columns={
            i
            for i, c in enumerate(columns)
            if c.column_name in _MONTH_COLUMNS
            or (isinstance(c.widget, DateWidget) and c.widget.month)
        },
        widths={
            i: 22 for i, c in enumerate(columns) if isinstance(c.widget, IdNumberWidget)
        },
    )


def export_workbook(
    *,
    kind: str,
    target,
    user=None,
    county=None,
    pks: Iterable[int] | None = None,
) -> ExportResult:
    """Write ``kind``'s rows that ``user`` may see (None: the system) to ``target``.

    ``pks`` narrows the export to those rows (the admin's selected rows).
    """
    resource_cls = resource_class(kind)
    personal = any(c.personal for c in resource_cls.export_columns())
    full = user is None or not personal or can_view_full_personal_data(user)
    resource = resource_cls(user=user, full_personal_data=full)
    sheets: dict[str, list[list]] = defaultdict(list)
    queryset = resource.export_queryset(county=county)
    if pks is not None:
        queryset = queryset.filter(pk__in=pks)
    for sheet, row in resource.iter_export_rows(queryset):
        sheets[sheet].append(row)
    count = sum(len(rows) for rows in sheets.values())
    scope = county.full_name if county is not None else _("全部（您的管辖范围内）")
    title_lines = [
        str(resource.title),
        _("导出时间：%(at)s　范围：%(scope)s　共%(count)d行")
        % {
            "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "scope": scope,
            "count": count,
        },
    ]
    if personal and not full:
        title_lines.append(
            _(
                "注意：本表的身份证号码和联系电话只保留后四位、出生年月已隐去，"
                "不能用于再次导入。需要完整号码请联系有权限的工作人员。"
            )
        )
    if not sheets:
        sheets[str(resource.title)] = []
    write_workbook(
        target,
        (
            (_layout_of(resource, name, title_lines), rows)
            for name, rows in sheets.items()
        ),
    )
    revealed = bool(personal and full and count)
    if revealed:
        _record_reveal(
            user=user, kind=kind, title=str(resource.title), rows=count, county=county
        )
    return ExportResult(
        kind=kind,
        rows=count,
        sheets=len(sheets),
        full_personal_data=full,
        revealed=revealed,
    )


def export_template(*, kind: str, target) -> None:
    """Write an empty workbook of ``kind``: the title, the header row, no data.

    It is the import layout itself, so a clerk who fills it in below the header
    can import it as it is.
    """
    resource = resource_class(kind)(user=None, full_personal_data=True)
    title_lines = [
        _("%(title)s（导入模板）") % {"title": resource.title},
        _(
            "请从表头下一行起逐行填写，不要改动表头；可以保留本标题行。"
            "日期可写作2019-03-01、2019年3月1日或2019.3.1；身份证号码请设为文本格式。"
        ),
    ]
    write_workbook(
        target, [(_layout_of(resource, str(resource.title), title_lines), [])]
    )


@transaction.atomic
def _record_reveal(*, user, kind: str, title: str, rows: int, county) -> None:
    """One ``reveal`` entry for a whole export of full 身份证号码 and phones.

    Like every other entry it carries the address of the request (from the audit
    context) and a county: the exported region's, else the user's own (a county
    or township account); a wider export has none.
    """
    region = county if county is not None else _scope_region(user)
    audit_record_about(
        action=AuditEntry.Action.REVEAL,
        model="teams.person",
        object_id=kind,
        object_repr=_("导出%(title)s（%(rows)d行，含完整身份证号码和联系电话）")
        % {"title": title, "rows": rows},
        county_code=_county_code_of(region),
        changes={
            "fields": ["id_number", "phone"],
            "kind": kind,
            "rows": rows,
            "region": county.code if county is not None else "",
        },
        user=user if getattr(user, "pk", None) else None,
        source="export",
    )


def _scope_region(user):
    scope = user_scope(user) if user is not None else None
    return scope.region if scope is not None and scope.region_id else None


def _county_code_of(region) -> str:
    """The code of the county ``region`` is, or lies in ("" above a county)."""
    if region is None:
        return ""
    # A path holds the codes from the province down: province/prefecture/county/...
    codes = region.path.strip("/").split("/")
    return codes[2] if len(codes) >= 3 else ""


def export_response(
    *, kind: str, user, pks: Iterable[int] | None = None, county=None
) -> HttpResponse:
    """``kind``'s rows that ``user`` may see as a download, laid out as imported."""
    buffer = io.BytesIO()
    export_workbook(kind=kind, target=buffer, user=user, county=county, pks=pks)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return xlsx_attachment(buffer.getvalue(), f"{TITLES[kind]}-{stamp}.xlsx")
