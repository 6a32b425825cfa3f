"""xlsx exports of the completeness page and the "missing this quarter" lists.

Rows come from the same selectors as the pages, so a page and its export agree.
Cells go through ``zhucun.workbooks.writing``, which writes text that begins
with ``= + - @`` as text, never as a formula.
"""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhucun.pages import xlsx_response
from zhucun.periods import Quarter, month_display
from zhucun.workbooks.writing import SheetLayout


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def completeness_export(*, month, region_name: str, rows) -> HttpResponse:
    layout = SheetLayout(
        name=_("考勤报送情况"),
        title_lines=[
            _("%(region)s%(month)s驻村工作队队员考勤报送情况")
            % {"region": region_name, "month": month_display(month)}
        ],
        headers=[
            _("县（市、区）"),
            _("乡（镇）"),
            _("乡（镇）代码"),
            _("应报人数"),
            _("已录入人数"),
            _("完整率（%）"),
            _("报送状态"),
            _("报送时间"),
            _("首次报送时间"),
            _("报送期限"),
            _("退回原因"),
        ],
        text_columns={2},
    )
    data = (
        [
            r.county_name,
            r.name,
            r.code,
            r.expected,
            r.recorded,
            r.percent,
            str(r.status),
            _time(r.submitted_at),
            _time(r.first_submitted_at),
            r.due,
            r.reopened_reason,
        ]
        for r in rows
    )
    return xlsx_response(
        filename=f"考勤报送情况-{month:%Y-%m}.xlsx", layout=layout, rows=data
    )


def unvisited_export(*, quarter: Quarter, households) -> HttpResponse:
    layout = SheetLayout(
        name=_("未走访农户"),
        title_lines=[_("%(quarter)s未走访农户") % {"quarter": quarter.display}],
        headers=[
            _("县（市、区）"),
            _("乡（镇）"),
            _("村"),
            _("户主姓名"),
            _("农户编号"),
            _("必访户"),
        ],
    )
    data = (
        [
            h.village.county.name,
            h.village.township.name,
            h.village.name,
            h.head_name,
            h.pk,
            _("是") if h.is_priority else "",
        ]
        for h in households
    )
    return xlsx_response(
        filename=f"未走访农户-{quarter.code}.xlsx", layout=layout, rows=data
    )


def reports_export(*, quarter: Quarter, teams) -> HttpResponse:
    layout = SheetLayout(
        name=_("季度工作报告"),
        title_lines=[
            _("%(quarter)s驻村工作队季度工作报告报送情况")
            % {"quarter": quarter.display}
        ],
        headers=[
            _("县（市、区）"),
            _("乡（镇）"),
            _("村"),
            _("工作队"),
            _("报送情况"),
            _("报告日期"),
        ],
    )
    data = (
        [
            t.village.county.name,
            t.village.township.name,
            t.village.name,
            str(t),
            _("已报送") if t.report_id else _("未报送"),
            t.report_on,
        ]
        for t in teams
    )
    return xlsx_response(
        filename=f"季度工作报告-{quarter.code}.xlsx", layout=layout, rows=data
    )


def meetings_export(*, quarter: Quarter, counties, meetings) -> HttpResponse:
    layout = SheetLayout(
        name=_("队长会议"),
        title_lines=[
            _("%(quarter)s县（市、区）驻村工作队队长会议召开情况")
            % {"quarter": quarter.display}
        ],
        headers=[
            _("市（州）"),
            _("县（市、区）"),
            _("县代码"),
            _("召开次数"),
            _("会议日期"),
        ],
        text_columns={2},
    )
    data = (
        [
            c.parent.name if c.parent_id else "",
            c.name,
            c.code,
            c.meeting_count,
            "、".join(m.held_on.isoformat() for m in meetings.get(c.pk, [])),
        ]
        for c in counties
    )
    return xlsx_response(
        filename=f"队长会议-{quarter.code}.xlsx", layout=layout, rows=data
    )
