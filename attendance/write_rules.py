"""The write rules of a month's attendance, shared by the grid service and the importer.

The locked month: once a township has submitted (报送) a month, nothing of that
month's attendance changes until the county reopens (退回) it, whichever path the
write takes (the township's grid page, the API, the 月度考勤 workbook).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import AttendanceSubmission
from zhucun.periods import month_display
from zhucun.workbooks.importer import chunks
from zhucun.write_rules import Refusal


def locked_message(*, month: datetime.date, submitted_at: datetime.datetime) -> str:
    """The one refusal of a write into a submitted month."""
    return _(
        "%(month)s的考勤已于%(at)s报送锁定，不能再修改；如需更正，请县委组织部退回。"
    ) % {
        "month": month_display(month),
        "at": timezone.localtime(submitted_at).strftime("%Y-%m-%d %H:%M"),
    }


def locked_month_refusals(
    proposals: Iterable[tuple[Any, int, datetime.date]],
    *,
    submissions: Iterable[AttendanceSubmission] | None = None,
) -> list[Refusal]:
    """Refuse each (item, township id, month) whose month the township submitted.

    ``submissions``: the months' rows when the caller has them already (the grid
    service reads its month's row under lock); otherwise one query per 900
    townships reads them.
    """
    proposals = list(proposals)
    if submissions is None:
        townships = sorted({township for _item, township, _month in proposals})
        months = sorted({month for _item, _township, month in proposals})
        submissions = []
        for chunk in chunks(townships):
            submissions.extend(
                AttendanceSubmission.objects.filter(
                    township_id__in=chunk,
                    month__in=months,
                    submitted_at__isnull=False,
                ).only("township_id", "month", "submitted_at")
            )
    locked = {
        (s.township_id, s.month): s.submitted_at
        for s in submissions
        if s.submitted_at is not None
    }
    refusals = []
    for item, township, month in proposals:
        submitted_at = locked.get((township, month))
        if submitted_at is not None:
            message = locked_message(month=month, submitted_at=submitted_at)
            refusals.append(Refusal(item, "month", message))
    return refusals
