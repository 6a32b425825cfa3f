"""The policy's thresholds (川委办〔2018〕19号), overridable by ``settings.ZHUCUN_RULES``.

This module is the only reader of ``ZHUCUN_RULES``: the rules engine, the
services, the importers and the pages all take their numbers from
``Thresholds.from_settings()``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

# The policy's own numbers; settings.ZHUCUN_RULES overrides them.
DEFAULT_THRESHOLDS = {
    "TEAM_MIN_MEMBERS": 3,
    "LIANGSHAN_MIN_MEMBERS": 4,
    "LIANGSHAN_MAX_MEMBERS": 7,
    "TERM_YEARS": 2,
    "EXCELLENT_CAP_RATIO": "0.20",
    "TRAINING_DAYS_MIN": 5,
    "FUNDING_MIN_YUAN": "20000",
    "UNIT_QUOTA_BANDS": [(100, 4), (51, 2), (0, 1)],
    "PAIRING_QUOTA_RATIO": "0.30",
    "CAMPAIGN_END": "2020-12-31",
    "PROVINCIAL_FUNDING_HARDSHIP_CLASS": 3,
}


@dataclass(frozen=True)
class Thresholds:
    team_min_members: int
    liangshan_min_members: int
    liangshan_max_members: int
    term_years: int
    excellent_cap_ratio: Decimal
    training_days_min: Decimal
    funding_min_yuan: Decimal
    unit_quota_bands: tuple[tuple[int, int], ...]
    pairing_quota_ratio: Decimal
    campaign_end: datetime.date
    provincial_funding_hardship_class: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        values = {**DEFAULT_THRESHOLDS, **getattr(settings, "ZHUCUN_RULES", {})}
        campaign_end = values["CAMPAIGN_END"]
        if isinstance(campaign_end, str):
            campaign_end = datetime.date.fromisoformat(campaign_end)
        return cls(
            team_min_members=int(values["TEAM_MIN_MEMBERS"]),
            liangshan_min_members=int(values["LIANGSHAN_MIN_MEMBERS"]),
            liangshan_max_members=int(values["LIANGSHAN_MAX_MEMBERS"]),
            term_years=int(values["TERM_YEARS"]),
            excellent_cap_ratio=Decimal(str(values["EXCELLENT_CAP_RATIO"])),
            training_days_min=Decimal(str(values["TRAINING_DAYS_MIN"])),
            funding_min_yuan=Decimal(str(values["FUNDING_MIN_YUAN"])),
            # Highest band first: a unit takes the first band its staff reaches.
            unit_quota_bands=tuple(
                sorted(
                    (
                        (int(low), int(quota))
                        for low, quota in values["UNIT_QUOTA_BANDS"]
                    ),
                    reverse=True,
                )
            ),
            pairing_quota_ratio=Decimal(str(values["PAIRING_QUOTA_RATIO"])),
            campaign_end=campaign_end,
            provincial_funding_hardship_class=int(
                values["PROVINCIAL_FUNDING_HARDSHIP_CLASS"]
            ),
        )

    def unit_quota(self, staff: int) -> int:
        """Members a provincial unit of ``staff`` must dispatch (二(一))."""
        for low, quota in self.unit_quota_bands:
            if staff >= low:
                return quota
        return 0
