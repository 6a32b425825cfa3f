"""Completeness and timeliness of the attendance, per township and month."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from attendance import exports, selectors
from attendance.periods import due_date
from zhucun import clock
from zhucun.periods import month_code, month_display, month_of, previous_month
from zhucun.roles import require_perm

from .params import _month, _page, _query, _region


def _last_month():
    return previous_month(month_of(clock.today()))


@login_required
def completeness(request):
    """Per township: submitted? on time? rows recorded of expected (DHIS2's report)."""
    require_perm(request.user, "attendance.view_attendancesubmission")
    month = _month(request, _last_month())
    region = _region(request)
    page = _page(
        request,
        selectors.completeness_townships(user=request.user, month=month, region=region),
    )
    rows = selectors.completeness_rows(month=month, townships=page.object_list)
    summary = selectors.completeness_summary(
        user=request.user, month=month, region=region
    )
    return render(
        request,
        "attendance/completeness.html",
        {
            "page": page,
            "rows": rows,
            "summary": summary,
            "month_code": month_code(month),
            "month_label": month_display(month),
            "due": due_date(month),
            "region": region,
            "export_query": _query(
                month=month_code(month), region=request.GET.get("region")
            ),
        },
    )


@login_required
def completeness_xlsx(request):
    require_perm(request.user, "attendance.view_attendancesubmission")
    month = _month(request, _last_month())
    region = _region(request)
    townships = selectors.completeness_townships(
        user=request.user, month=month, region=region
    )
    rows = selectors.completeness_rows(month=month, townships=townships)
    return exports.completeness_export(
        month=month, region_name=region.name if region else "", rows=rows
    )
