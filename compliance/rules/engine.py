"""Run the registered rules "as of" a day, for the province or one region."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from villages.models import LIANGSHAN_CODE, Region
from zhucun.policy import Thresholds

from .findings import Finding
from .registry import Rule, all_rules, get_rule


@dataclass(frozen=True)
class CountyInfo:
    id: int
    code: str
    label: str
    path: str


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
