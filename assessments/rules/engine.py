"""Run the registered rules "as of" a day, for the province or one region."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db.models import Q

from villages.models import LIANGSHAN_CODE, Region

from .findings import Finding
from .registry import Rule, all_rules, get_rule

# The policy's own numbers (川委办〔2018〕19号); settings.ZHUCUN_RULES overrides them.
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


@dataclass(frozen=True)
class CountyInfo:
    id: int
    code: str
    label: str
    path: str


def percent(ratio: Decimal) -> str:
    """0.20 → "20%"."""
    value = (ratio * 100).normalize()
    return f"{value:f}%"


def yuan(amount: Decimal) -> str:
    """15000 → "15,000元"."""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}元"
    return f"{amount:,.2f}元"


def days_text(days: Decimal) -> str:
    """Decimal("3.0") → "3"; Decimal("2.5") → "2.5"."""
    value = Decimal(days).normalize()
    return f"{value:f}"


class Context:
    """What every rule needs: the day, the region, the thresholds and the labels."""

    def __init__(self, as_of: datetime.date, region: Region | None = None):
        self.as_of = as_of
        self.region = region
        self.thresholds = Thresholds.from_settings()

    # --- counties and their labels (one query per evaluation) -------------
    @cached_property
    def counties(self) -> dict[int, CountyInfo]:
        rows = list(
            Region.objects.filter(level=Region.Level.COUNTY).values_list(
                "id", "code", "name", "path", "parent__name"
            )
        )
        seen: dict[str, int] = {}
        for _, _, name, _, _ in rows:
            seen[name] = seen.get(name, 0) + 1
        # Two counties share a name (市中区): those carry their prefecture's name.
        return {
            pk: CountyInfo(
                pk, code, f"{parent}{name}" if seen[name] > 1 else name, path
            )
            for pk, code, name, path, parent in rows
        }

    @cached_property
    def county_ids(self) -> list[int] | None:
        """Counties inside the region (or holding it); None means all."""
        region = self.region
        if region is None or region.level == Region.Level.PROVINCE:
            return None
        if region.level == Region.Level.TOWNSHIP:
            return [region.parent_id]
        return sorted(
            c.id for c in self.counties.values() if c.path.startswith(region.path)
        )

    def county_code(self, county_id: int | None) -> str:
        info = self.counties.get(county_id)
        return info.code if info else ""

    def county_label(self, county_id: int | None) -> str:
        info = self.counties.get(county_id)
        return info.label if info else ""

    @cached_property
    def liangshan_county_ids(self) -> list[int]:
        """Counties of 凉山州 (codes 5134xx)."""
        prefix = LIANGSHAN_CODE[:4]
        return sorted(c.id for c in self.counties.values() if c.code.startswith(prefix))

    def county_in_region(self, county_id: int | None) -> bool:
        ids = self.county_ids
        return ids is None or county_id in ids

    # --- region filters ------------------------------------------------------
    def village_q(self, prefix: str = "") -> Q:
        """Villages (``prefix`` leads to one, e.g. "team__village__") in the region."""
        region = self.region
        if region is None or region.level == Region.Level.PROVINCE:
            return Q()
        if region.level == Region.Level.TOWNSHIP:
            return Q(**{f"{prefix}township_id": region.pk})
        return Q(**{f"{prefix}county_id__in": self.county_ids})

    def county_q(self, field: str) -> Q:
        """Rows whose county (``field`` holds its id) lies in the region."""
        ids = self.county_ids
        return Q() if ids is None else Q(**{f"{field}__in": ids})

    def unit_q(self, prefix: str = "") -> Q:
        """Units (``prefix`` leads to one) located inside the region."""
        if self.region is None:
            return Q()
        return Q(**{f"{prefix}region__path__startswith": self.region.path})

    # --- labels --------------------------------------------------------------
    def village_label(self, county_id: int, township: str, village: str) -> str:
        return f"{self.county_label(county_id)}{township}{village}"

    def team_label(self, row: dict, prefix: str = "") -> str:
        """Label of a team from a row holding ``{prefix}village__…`` values."""
        return (
            self.village_label(
                row[f"{prefix}village__county_id"],
                row[f"{prefix}village__township__name"],
                row[f"{prefix}village__name"],
            )
            + "驻村工作队"
        )


def team_fields(prefix: str = "") -> tuple[str, ...]:
    """The values a team label needs (see ``Context.team_label``)."""
    return (
        f"{prefix}village__name",
        f"{prefix}village__township__name",
        f"{prefix}village__county_id",
    )


@dataclass
class RuleRun:
    rule: type[Rule]
    findings: list[Finding]
    seconds: float


def _sort_key(finding: Finding) -> tuple:
    return (finding.county_code, finding.period, finding.label, finding.object_id)


def run_rules(
    as_of: datetime.date,
    region: Region | None = None,
    rules: list[str] | None = None,
) -> Iterator[RuleRun]:
    """Run each rule in turn, yielding its findings and how long it took."""
    selected = [get_rule(code) for code in rules] if rules else all_rules()
    ctx = Context(as_of, region)
    for rule in selected:
        started = time.perf_counter()
        findings = sorted(rule(ctx).findings(), key=_sort_key)
        yield RuleRun(rule, findings, time.perf_counter() - started)


def evaluate(
    as_of: datetime.date,
    region: Region | None = None,
    rules: list[str] | None = None,
) -> list[Finding]:
    """Every finding of the given rules (default: all) as of a day, in a region."""
    return [f for run in run_rules(as_of, region, rules) for f in run.findings]
