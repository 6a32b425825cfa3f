"""The monthly rollups of a region and of the level below it."""

import datetime

from django.db.models import QuerySet

from attendance.models import AttendanceRollup
from villages.models import Region
from zhucun.access import scoped

_CHILD_LEVEL = {
    Region.Level.PROVINCE: AttendanceRollup.Level.PREFECTURE,
    Region.Level.PREFECTURE: AttendanceRollup.Level.COUNTY,
    Region.Level.COUNTY: AttendanceRollup.Level.TOWNSHIP,
    Region.Level.TOWNSHIP: AttendanceRollup.Level.TEAM,
}


def rollup_overview(
    *, user, region: Region, month: datetime.date
) -> tuple[AttendanceRollup | None, QuerySet[AttendanceRollup]]:
    """The region's own summary row of the month and the rows of the level below it."""
    rows = scoped(
        user,
        AttendanceRollup.objects.filter(month=month).select_related(
            "region", "team__village"
        ),
    )
    own = rows.filter(level=region.level, region=region).first()
    child = _CHILD_LEVEL[Region.Level(region.level)]
    if child == AttendanceRollup.Level.TEAM:
        children = rows.filter(level=child, region=region)
    else:
        children = rows.filter(level=child, region__parent=region)
    return own, children.order_by("region__code", "team_id")
