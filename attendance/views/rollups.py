"""The monthly rollups of a region and the level below it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from attendance import selectors
from zhucun.periods import month_code, month_display, previous_month
from zhucun.roles import require_perm

from .completeness import _last_month
from .params import _month, _region


@login_required
def rollups(request):
    """The month's in-post rates of a region and of each region (or team) under it."""
    require_perm(request.user, "attendance.view_monthlyattendance")
    month = _month(request, _last_month())
    region = _region(request)
    own, children = (None, [])
    if region is not None:
        own, children = selectors.rollup_overview(
            user=request.user, region=region, month=month
        )
    return render(
        request,
        "attendance/rollups.html",
        {
            "region": region,
            "own": own,
            "children": children,
            "month_code": month_code(month),
            "month_label": month_display(month),
            "previous": month_code(previous_month(month)),
            # The level above, read from the path (no query for the parent row).
            "parent_code": _parent_code(region),
        },
    )


def _parent_code(region) -> str:
    codes = region.path.strip("/").split("/") if region is not None else []
    return codes[-2] if len(codes) >= 2 else ""
