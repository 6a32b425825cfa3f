"""The per-county counts of the dashboards, and their summary table.

``place_counts`` counts, per county, township or team, with a fixed set of
GROUP BY queries: villages and teams in post, visits by quarter, training,
funds. Its per-county figures of the whole province (and the counts of the 20%
cap) are kept in ``PlaceSummary`` by :func:`place_summary_refresh`, run after
the nightly attendance rollup and by seed_demo, so that the province's and
prefectures' dashboards sum a few hundred rows instead of scanning the raw ones.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from assessments.caps import cap_counts
from assessments.models import TrainingRecord
from assessments.selectors import served_memberships
from attendance import figures as attendance_figures
from attendance.models import PlaceSummary, RollupLock
from attendance.selectors import visit_coverage
from funding import figures as funding_figures
from funding.selectors import funding_by_team
from teams import figures
from teams.models import Team
from villages.models import Household, Region, Village
from zhucun import clock
from zhucun.access import scoped
from zhucun.audit import audit_records
from zhucun.periods import Quarter, year_bounds
from zhucun.policy import Thresholds

QUARTERS = 4
LOCK_NAME = "attendance.place_summary"

# What a place is, seen from a village, a team and a membership.
_KEYS = {
    "county": ("county_id", "village__county_id", "team__village__county_id"),
    "township": ("township_id", "village__township_id", "team__village__township_id"),
    "team": (None, "id", "team_id"),
}


def team_size_counts(today: datetime.date, thresholds: Thresholds) -> dict:
    """Aggregates of teams ``with_staffing``: in post, members, short, 凉山州 4–7.

    "Short" is ``teams.figures.short_of_members``, the team list's and the
    compliance rules' definition.
    """
    liangshan = figures.is_liangshan()
    in_range = liangshan & Q(
        members__gte=thresholds.liangshan_min_members,
        members__lte=thresholds.liangshan_max_members,
    )
    return {
        "c_teams": Count("id"),
        "c_members": Sum("members"),
        "c_small": Count("id", filter=figures.short_of_members(today)),
        "c_liangshan": Count("id", filter=liangshan),
        "c_in_range": Count("id", filter=in_range),
    }


def village_counts(
    user, path: str, key: str, on: datetime.date | None = None
) -> QuerySet:
    """Poor villages and those with a team in post on ``on`` (today), per ``key``."""
    today = on or clock.today()
    return (
        scoped(
            user,
            Village.objects.filter(
                is_registered_poor=True, township__path__startswith=path
            ),
        )
        .order_by()
        .values(key)
        .annotate(
            poor=Count("id"),
            covered=Count(
                "id",
                filter=Exists(
                    Team.objects.filter(figures.in_post(today), village=OuterRef("pk"))
                ),
            ),
        )
    )


def _region_visits(
    user, path: str, key: str, quarters: list[Quarter], today: datetime.date
) -> QuerySet:
    """Per ``key`` of the household's village, for each quarter: the households of
    villages with a team in post in the quarter, and those visited in it.

    One pass over the households, each quarter's villages and visits a hashed
    set (``IN``), where a correlated count per team would take seconds for the
    province.
    """
    counts = {}
    for quarter in quarters:
        with_team = attendance_figures.to_visit(quarter, today)
        counts[f"households_{quarter.number}"] = Count("id", filter=with_team)
        counts[f"visited_{quarter.number}"] = Count(
            "id", filter=with_team & attendance_figures.visited(quarter)
        )
    return (
        scoped(user, Household.objects.filter(village__township__path__startswith=path))
        .order_by()
        .values(f"village__{key}")
        .annotate(**counts)
        .values(f"village__{key}", *counts)
    )


def _add_quarter(counts: dict[int, dict], rows, key: str, number: int) -> None:
    for row in rows:
        place = counts.setdefault(row[key], {})
        for name, column in (
            ("visit_households", "households"),
            ("visit_done", "visited"),
        ):
            values = list(place.get(name, (0,) * QUARTERS))
            values[number - 1] = row[column] or 0
            place[name] = tuple(values)


def visits_by_township(
    *, user, county: Region, on: datetime.date | None = None
) -> dict[int, dict]:
    """The year's visit counts of each township of ``county``. One query.

    A township's households are counted once, whichever of its teams (old or
    new, in a quarter of change) visited them: the sum of its teams' rows would
    count a village twice.
    """
    today = on or clock.today()
    counts: dict[int, dict] = {}
    _add_visits(counts, user, county, "township_id", "village__township_id", today)
    return counts


def place_counts(
    *, user, under: Region, by: str, on: datetime.date | None = None
) -> dict[int, dict]:
    """Counts per place ``by`` ("county", "township" or "team") under ``under``.

    "In post" means on ``on`` (default: the system's today), and the year's
    figures are those of its year up to it.

    Five queries for counties: villages, teams in post today with their members,
    the visits of the year's quarters, the year's people and those trained, the
    year's funds (the funding pages' ``funding_by_team``). Seven for teams, whose
    villages are not counted and whose visits are the visit pages' own counts
    (``visit_coverage``, a query per quarter). Everything is scoped.
    """
    today = on or clock.today()
    thresholds = Thresholds.from_settings()
    village_key, team_key, membership_key = _KEYS[by]
    path = under.path
    counts: dict[int, dict] = {}
    if village_key is not None:
        _add(
            counts,
            village_counts(user, path, village_key, today),
            village_key,
            poor_villages="poor",
            covered_villages="covered",
        )
    _add(
        counts,
        _team_rows(user, path, team_key, today, thresholds),
        team_key,
        teams="c_teams",
        members="c_members",
        small_teams="c_small",
        liangshan_teams="c_liangshan",
        liangshan_in_range="c_in_range",
    )
    _add_visits(counts, user, under, village_key, team_key, today)
    _add(
        counts,
        _people_rows(user, path, membership_key, today, thresholds),
        membership_key,
        served="c_served",
        trained="c_trained",
    )
    _add(
        counts,
        _fund_rows(user, path, team_key, today.year, thresholds),
        team_key,
        funded_teams="c_teams",
        funds_received="c_received",
        funds_short="c_short",
    )
    for place in counts.values():
        place["funds_required"] = thresholds.funding_min_yuan * place.get(
            "funded_teams", 0
        )
    return counts


def _add(counts: dict[int, dict], rows, key: str, **fields: str) -> None:
    """Copy each row's ``fields`` (name → column) into its place's counts."""
    for row in rows:
        place = counts.setdefault(row[key], {})
        for name, column in fields.items():
            place[name] = row[column] or 0


def _team_rows(user, path: str, team_key: str, today, thresholds: Thresholds):
    """Teams in post on ``today`` and their members, by place."""
    teams = scoped(
        user,
        Team.objects.filter(
            figures.in_post(today), village__township__path__startswith=path
        ),
    )
    return (
        figures.with_staffing(teams.order_by(), today, thresholds)
        .values(team_key)
        .annotate(**team_size_counts(today, thresholds))
    )


def _add_visits(counts, user, under: Region, village_key, team_key, today) -> None:
    """The households to visit and those visited, for each quarter of the year."""
    quarters = [Quarter(today.year, n) for n in range(1, Quarter.of(today).number + 1)]
    if village_key is None:
        # A team's households: the visit pages' own counts, a query per quarter.
        for quarter in quarters:
            visits = (
                visit_coverage(user=user, quarter=quarter, region=under)
                .order_by()
                .values(team_key)
                .annotate(households=Sum("households"), visited=Sum("visited"))
            )
            _add_quarter(counts, visits, team_key, quarter.number)
        return
    for row in _region_visits(user, under.path, village_key, quarters, today):
        place = counts.setdefault(row[f"village__{village_key}"], {})
        place["visit_households"] = tuple(
            row.get(f"households_{n}") or 0 for n in range(1, QUARTERS + 1)
        )
        place["visit_done"] = tuple(
            row.get(f"visited_{n}") or 0 for n in range(1, QUARTERS + 1)
        )


def _people_rows(user, path: str, membership_key: str, today, thresholds):
    """The year's people by place, and those with the year's training days."""
    first, last = year_bounds(today.year)
    # People with the year's days: one GROUP BY over the year's training records,
    # looked up as a hashed set.
    trained = (
        TrainingRecord.objects.filter(
            event__start_date__gte=first, event__start_date__lte=min(last, today)
        )
        .order_by()
        .values("person_id")
        .annotate(total=Sum("days"))
        .filter(total__gte=thresholds.training_days_min)
        .values("person_id")
    )
    return (
        served_memberships(user=user, year=today.year)
        .filter(team__village__township__path__startswith=path)
        .order_by()
        .values(membership_key)
        .annotate(
            c_served=Count("person_id", distinct=True),
            c_trained=Count(
                "person_id", distinct=True, filter=Q(person_id__in=trained)
            ),
        )
    )


def _fund_rows(user, path: str, team_key: str, year: int, thresholds: Thresholds):
    """The year's funded teams, the funds received and the teams short, by place."""
    return (
        funding_by_team(user=user, year=year)
        .filter(village__township__path__startswith=path)
        .order_by()
        .values(team_key)
        .annotate(
            c_teams=Count("id"),
            c_received=Sum("received"),
            c_short=Count("id", filter=funding_figures.short_of_funds(thresholds)),
        )
    )


def cap_by_county(counts: dict[int, dict], year: int, county_ids) -> dict[int, dict]:
    """Add the 20% cap's two counts of ``year`` to ``counts`` (None: every county)."""
    eligible, excellent = cap_counts(year, county_ids)
    for county_id, n in eligible.items():
        counts.setdefault(county_id, {})["cap_members"] = n
    for county_id, n in excellent.items():
        counts.setdefault(county_id, {})["cap_excellent"] = n
    return counts


# --- The summary table -------------------------------------------------------


class _Province:
    """The reader of the refresh: every row of the province.

    The summary is computed once for everyone and scoped when read (its access
    rule is the county's path), so the refresh itself reads unscoped.
    """

    is_active = True
    is_authenticated = True
    is_superuser = True
    pk = None


EVERYTHING = _Province()

_SCALARS = (
    "poor_villages",
    "covered_villages",
    "teams",
    "members",
    "small_teams",
    "liangshan_teams",
    "liangshan_in_range",
    "served",
    "trained",
    "funded_teams",
    "funds_received",
    "funds_required",
    "funds_short",
    "cap_members",
    "cap_excellent",
)


def summary_counts(row: PlaceSummary) -> dict:
    """A summary row as the counts ``place_counts`` gives for a place."""
    counts = {name: getattr(row, name) for name in _SCALARS}
    counts["visit_households"] = tuple(
        getattr(row, f"visit_households_q{n}") for n in range(1, QUARTERS + 1)
    )
    counts["visit_done"] = tuple(
        getattr(row, f"visit_done_q{n}") for n in range(1, QUARTERS + 1)
    )
    return counts


def _columns(counts: dict) -> dict:
    columns = {name: counts.get(name) or 0 for name in _SCALARS}
    for name in ("visit_households", "visit_done"):
        for n, value in enumerate(counts.get(name, (0,) * QUARTERS), start=1):
            columns[f"{name}_q{n}"] = value
    for name in ("funds_received", "funds_required"):
        columns[name] = Decimal(columns[name]).quantize(Decimal("0.01"))
    return columns


def summary_as_of(year: int | None) -> datetime.date:
    """The day a year's summary stands on: today for this year, else Dec 31."""
    today = clock.today()
    if year is None or year == today.year:
        return today
    if year > today.year:
        raise ValueError(f"no summary of a year to come: {year}")
    return datetime.date(year, 12, 31)


@dataclass(frozen=True)
class SummaryResult:
    year: int
    counties: int
    seconds: float


def place_summary_refresh(
    *, year: int | None = None, audit: bool = True
) -> SummaryResult:
    """Recompute every county's dashboard counts of ``year`` (default: this year).

    Seven queries read the province (``place_counts`` by county and the cap's
    two counts); the year's rows are then replaced in one transaction, so a rerun
    leaves the same rows. Every county gets a row, zeros included, so that a
    dashboard can tell "no summary yet" from "nothing there". ``audit=False``:
    the caller's own entry covers the write (seed_demo's one entry for the seed).
    """
    started = time.monotonic()
    on = summary_as_of(year)
    province = Region.objects.filter(level=Region.Level.PROVINCE).first()
    county_ids = list(
        Region.objects.filter(level=Region.Level.COUNTY).values_list("pk", flat=True)
    )
    counts: dict[int, dict] = {}
    if province is not None:
        counts = place_counts(user=EVERYTHING, under=province, by="county", on=on)
    cap_by_county(counts, on.year, None)
    with transaction.atomic():
        # Two refreshes write one after the other (the second replaces the first);
        # the lock row also says when the summary was last written.
        RollupLock.objects.bulk_create(
            [RollupLock(name=LOCK_NAME)], ignore_conflicts=True
        )
        lock = RollupLock.objects.select_for_update().get(name=LOCK_NAME)
        now = timezone.now()
        PlaceSummary.objects.filter(year=on.year).delete()
        PlaceSummary.objects.bulk_create(
            PlaceSummary(
                county_id=county_id,
                year=on.year,
                as_of=on,
                computed_at=now,
                **_columns(counts.get(county_id, {})),
            )
            for county_id in county_ids
        )
        lock.last_run_at = now
        lock.save(update_fields=["last_run_at"])
        if audit:
            audit_records(
                [
                    {
                        "action": "update",
                        "model": PlaceSummary._meta.label_lower,
                        "object_id": str(on.year),
                        "object_repr": f"{on.year}年县级看板汇总",
                        "county_code": "",
                        "changes": {
                            "rows": [None, len(county_ids)],
                            "as_of": on.isoformat(),
                        },
                    }
                ]
            )
    return SummaryResult(
        year=on.year,
        counties=len(county_ids),
        seconds=round(time.monotonic() - started, 3),
    )
