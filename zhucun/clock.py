"""The system's "today": the real date, or a fixed date for a snapshot such as the demo.

``ZHUCUN_TODAY=2022-12-31`` (set by ``make run`` for the demo province, whose data
stands on that day) makes every page, check and default period look at that date.
Everything that asks "what is in post now" calls :func:`today`, never the clock.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def today() -> datetime.date:
    """The date the system treats as today."""
    fixed = getattr(settings, "ZHUCUN_TODAY", None)
    return fixed or timezone.localdate()
