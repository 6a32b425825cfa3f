"""Reads of the compliance snapshot, shared by the pages, the API and the export.

Every read starts from the latest findings (``FindingRecord``) the user may see
(zhucun.access.scoped), here and nowhere else; none of them evaluates a rule.
Each function runs a fixed number of queries, whatever the number of findings:
counts are one GROUP BY, the drill-down groups on a prefix of the region path,
and both are kept in the cache until the next refresh (``_cached``), so that a
page view of the province does not count its findings again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.filters import FILTER_NAMES, FindingFilterSet, under
from compliance.models import ComplianceRun, FindingRecord
from compliance.rules import all_rules
from compliance.services import LIVE, STALE_AFTER
from teams.models import Membership, Person, Team
from villages.models import Region
from zhucun.access import scoped, user_scope

# Counts of a snapshot do not change until the next refresh: they are kept this
# long under a key that names the snapshot (see ``_cached``).
CACHE_SECONDS = 6 * 3600

ERROR = FindingRecord.Severity.ERROR
WARNING = FindingRecord.Severity.WARNING


def _findings(*, user) -> QuerySet[FindingRecord]:
    rows = scoped(user, FindingRecord.objects.select_related("county", "run"))
    region = home_region(user)
    if region is not None:
        # The scope already says this; said again in the form an index serves.
        rows = rows.filter(under(region.path))
    return rows


def finding_list(
    *, user, filters: Mapping[str, Any] | None = None, within: Region | None = None
) -> QuerySet[FindingRecord]:
    """Findings of the snapshot, by place and in the order of rules.md.

    ``within`` narrows to a region already at hand (a page's), as ``region`` does.
    """
    rows = _findings(user=user)
    if within is not None:
        rows = rows.filter(under(within.path))
    return FindingFilterSet.apply(_only_filters(filters), rows, user=user)


def finding_get(*, user, pk: int) -> FindingRecord:
    """One finding; raises FindingRecord.DoesNotExist."""
    return _findings(user=user).get(pk=pk)


def _only_filters(filters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The finding filters among a request's parameters (page, format… dropped)."""
    if not filters:
        return None
    return {k: filters.get(k) for k in FILTER_NAMES if filters.get(k) not in (None, "")}


# --- counts per rule and severity --------------------------------------------


@dataclass(frozen=True)
class RuleCount:
    code: str
    title: str
    clause: str
    severity: str  # the rule's own severity; a finding may be milder (progress)
    error: int
    warning: int

    @property
    def id(self) -> str:
        return self.code

    @property
    def count(self) -> int:
        return self.error + self.warning


@dataclass(frozen=True)
class Summary:
    rows: list[RuleCount]

    @property
    def error(self) -> int:
        return sum(r.error for r in self.rows)

    @property
    def warning(self) -> int:
        return sum(r.warning for r in self.rows)

    @property
    def total(self) -> int:
        return self.error + self.warning

    def get(self, code: str) -> RuleCount:
        for row in self.rows:
            if row.code == code:
                return row
        raise KeyError(code)


def _scope_key(user) -> str:
    """What the user's rows depend on: their scope's place (or "all", "none")."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return "all"
    scope = user_scope(user)
    if scope is None or not user.is_active:
        return "none"
    if scope.region_id is not None:
        return f"region:{scope.region.path}"
    return f"unit:{scope.unit_id}:committee:{scope.work_committee_id}"


def _cached(kind: str, *, user, parts: tuple, compute):
    """``compute()``, kept per snapshot, scope and arguments.

    The key names the snapshot by the time its latest refresh finished (one small
    query): a refresh anywhere makes every count be read afresh, and until then
    a page view of the province reads none of the findings.
    """
    version = ComplianceRun.objects.filter(status=ComplianceRun.Status.DONE).aggregate(
        latest=Max("finished_at")
    )["latest"]
    if version is None:
        return compute()
    raw = repr((kind, version.isoformat(), _scope_key(user), parts))
    key = "compliance:" + hashlib.sha256(raw.encode()).hexdigest()
    return cache.get_or_set(key, compute, CACHE_SECONDS)


def _filter_parts(filters: Mapping[str, Any] | None, within: Region | None) -> tuple:
    return (
        tuple(sorted((_only_filters(filters) or {}).items())),
        within.path if within is not None else "",
    )


def finding_summary(
    *, user, filters: Mapping[str, Any] | None = None, within: Region | None = None
) -> Summary:
    """Counts per rule (every rule, clean ones at 0) and severity.

    Two queries: the snapshot's version and, unless kept since, one GROUP BY.
    Bad filters raise ValidationError before anything is kept.
    """
    FindingFilterSet.apply(
        _only_filters(filters), FindingRecord.objects.none(), user=user
    )
    return _cached(
        "summary",
        user=user,
        parts=_filter_parts(filters, within),
        compute=lambda: _summary(user=user, filters=filters, within=within),
    )


def _summary(*, user, filters, within) -> Summary:
    counts: dict[tuple[str, str], int] = {
        (rule, severity): n
        for rule, severity, n in finding_list(user=user, filters=filters, within=within)
        .order_by()
        .values("rule", "severity")
        .annotate(n=Count("id"))
        .values_list("rule", "severity", "n")
    }
    return Summary(
        [
            RuleCount(
                code=cls.code,
                title=str(cls.title),
                clause=cls.clause,
                severity=cls.severity,
                error=counts.get((cls.code, ERROR), 0),
                warning=counts.get((cls.code, WARNING), 0),
            )
            for cls in all_rules()
        ]
    )


# --- the drill-down: province → prefecture → county → team --------------------


@dataclass(frozen=True)
class PlaceCount:
    """One row of a drill-down table: a region, a team, or findings of no team."""

    label: str
    error: int
    warning: int
    region: Region | None = None
    team_id: int | None = None
    object_type: str = ""
    is_own_level: bool = False  # findings that lie at the region itself

    @property
    def count(self) -> int:
        return self.error + self.warning


@dataclass(frozen=True)
class Drilldown:
    region: Region
    by_team: bool  # a county or township: rows are teams
    rows: list[PlaceCount]


def _severity_counts() -> dict[str, Count]:
    return {
        "errors": Count("id", filter=Q(severity=ERROR)),
        "warnings": Count("id", filter=Q(severity=WARNING)),
    }


def finding_drilldown(
    *, user, region: Region, filters: Mapping[str, Any] | None = None
) -> Drilldown:
    """Counts of the findings under ``region``, one row per part of it (kept as
    ``finding_summary``'s are); see ``_drilldown``."""
    FindingFilterSet.apply(
        _only_filters(filters), FindingRecord.objects.none(), user=user
    )
    return _cached(
        "drilldown",
        user=user,
        parts=_filter_parts(filters, region),
        compute=lambda: _drilldown(user=user, region=region, filters=filters),
    )


def _drilldown(
    *, user, region: Region, filters: Mapping[str, Any] | None = None
) -> Drilldown:
    """Counts of the findings under ``region``, one row per part of it.

    A province or prefecture is split into its children by one GROUP BY on the
    prefix of the path; a county or township into its teams (findings tied to
    no team, e.g. a county's or a unit's, get a row per object type). Two
    queries at most. ``filters`` narrow the findings (their region is ignored).
    """
    rest = dict(_only_filters(filters) or {})
    rest.pop("region", None)
    findings = finding_list(user=user, filters=rest, within=region)
    if region.level in (Region.Level.COUNTY, Region.Level.TOWNSHIP):
        return Drilldown(region, True, _team_rows(findings))
    children = list(Region.objects.filter(parent=region).order_by("code"))
    counts: dict[str, tuple[int, int]] = {}
    for length in sorted({len(child.path) for child in children}):
        rows = (
            findings.order_by()
            .annotate(prefix=Substr("path", 1, length))
            .values("prefix")
            .annotate(**_severity_counts())
            .values_list("prefix", "errors", "warnings")
        )
        for prefix, errors, warnings in rows:
            counts[prefix] = (errors, warnings)
    rows = []
    own = counts.get(region.path)
    if own and sum(own):
        rows.append(
            PlaceCount(
                label=_("%(region)s本级（派出单位等）") % {"region": region.name},
                error=own[0],
                warning=own[1],
                region=region,
                is_own_level=True,
            )
        )
    for child in children:
        errors, warnings = counts.get(child.path, (0, 0))
        rows.append(PlaceCount(child.name, errors, warnings, region=child))
    return Drilldown(region, False, rows)


def _team_rows(findings: QuerySet[FindingRecord]) -> list[PlaceCount]:
    rows = (
        findings.order_by()
        .values(
            "team_id",
            "team__village__name",
            "team__village__township__name",
            "object_type",
        )
        .annotate(**_severity_counts())
    )
    teams: dict[int, tuple[str, list[int]]] = {}
    others: dict[str, list[int]] = {}
    for row in rows:
        if row["team_id"] is None:
            bucket = others.setdefault(row["object_type"], [0, 0])
        else:
            label = _("%(township)s%(village)s驻村工作队") % {
                "township": row["team__village__township__name"],
                "village": row["team__village__name"],
            }
            bucket = teams.setdefault(row["team_id"], (label, [0, 0]))[1]
        bucket[0] += row["errors"]
        bucket[1] += row["warnings"]
    result = [
        PlaceCount(label, errors, warnings, team_id=team_id)
        for team_id, (label, (errors, warnings)) in sorted(
            teams.items(), key=lambda item: (item[1][0], item[0])
        )
    ]
    labels = dict(FindingRecord.ObjectType.choices)
    for object_type, _label in FindingRecord.ObjectType.choices:
        if object_type in others:
            errors, warnings = others[object_type]
            result.append(
                PlaceCount(
                    _("不属于某支工作队的%(what)s问题") % {"what": labels[object_type]},
                    errors,
                    warnings,
                    object_type=object_type,
                )
            )
    return result


@dataclass(frozen=True)
class Overview:
    summary: Summary
    drilldown: Drilldown


def finding_overview(
    *, user, region: Region, filters: Mapping[str, Any] | None = None
) -> Overview:
    """The overview page's counts under ``region``: per rule, and the drill-down.

    Kept as one per snapshot (see ``_cached``): the snapshot's version, then on a
    first view the rule counts and the drill-down (two or three queries).
    """
    rest = {k: v for k, v in (_only_filters(filters) or {}).items() if k != "region"}
    FindingFilterSet.apply(rest, FindingRecord.objects.none(), user=user)
    return _cached(
        "overview",
        user=user,
        parts=_filter_parts(rest, region),
        compute=lambda: Overview(
            _summary(user=user, filters=rest, within=region),
            _drilldown(user=user, region=region, filters=rest),
        ),
    )


# --- the snapshot's date and state --------------------------------------------


@dataclass(frozen=True)
class SnapshotStatus:
    """Which runs stand behind what a user sees of a region.

    ``run`` is the finished run of the region or of the nearest region above it
    (the province's nightly one, usually): its day is the snapshot's day.
    ``below`` are later runs of parts of the region (a county refreshed since),
    ``live`` the runs queued or under way, ``failed`` a failure since ``run``.
    """

    run: ComplianceRun | None
    below: list[ComplianceRun] = field(default_factory=list)
    live: list[ComplianceRun] = field(default_factory=list)
    failed: ComplianceRun | None = None

    @property
    def as_of(self):
        if self.run is not None:
            return self.run.as_of
        return max((r.as_of for r in self.below), default=None)

    @property
    def finished_at(self):
        if self.run is not None:
            return self.run.finished_at
        return max((r.finished_at for r in self.below), default=None)


def paths_above(path: str) -> list[str]:
    """The paths of a region's ancestors and its own, from the province down."""
    codes = path.strip("/").split("/")
    return ["".join(f"{c}/" for c in codes[:n]) for n in range(1, len(codes) + 1)]


def _superseded(run: ComplianceRun, runs: list[ComplianceRun]) -> bool:
    """A later run of the same region or of a region above it replaces ``run``."""

    def above(other: ComplianceRun) -> bool:
        if other.region_id is None:
            return True
        return run.region_id is not None and run.region.path.startswith(
            other.region.path
        )

    return any(
        other.pk != run.pk and other.requested_at > run.requested_at and above(other)
        for other in runs
    )


def _still_live(run: ComplianceRun, runs: list[ComplianceRun], fresh_after) -> bool:
    """Whether ``run`` is still waiting or working, as far as the page can tell.

    A run under way for over ``STALE_AFTER`` is taken for dead. A run that no
    worker ever took stays shown, whatever its age, until one takes it or a
    later run replaces it: dropping it after an hour would hide that the
    background service is not running.
    """
    if run.status == ComplianceRun.Status.PENDING:
        return not _superseded(run, runs)
    return run.status in LIVE and run.requested_at >= fresh_after


def snapshot_status(*, user, region: Region | None) -> SnapshotStatus:
    """The runs behind the user's view of ``region`` (None: the province). One query."""
    path = region.path if region is not None else ""
    above = paths_above(path) if path else []
    runs = list(
        scoped(user, ComplianceRun.objects.select_related("region"))
        .filter(
            Q(region__isnull=True)
            | Q(region__path__in=above)
            | Q(region__path__startswith=path)
        )
        .order_by("-requested_at", "-id")[:200]
    )
    fresh_after = timezone.now() - STALE_AFTER

    def covers(run: ComplianceRun) -> bool:
        return run.region_id is None or run.region.path in above

    done = [r for r in runs if r.status == ComplianceRun.Status.DONE]
    covering = [r for r in done if covers(r)]
    # The nearest region's run: a run of a region above it would have replaced it.
    current = max(
        covering,
        key=lambda r: len(r.region.path) if r.region_id else 0,
        default=None,
    )
    below = [r for r in done if not covers(r)]
    live = [r for r in runs if _still_live(r, runs, fresh_after)]
    failed = next(
        (
            r
            for r in runs
            if r.status == ComplianceRun.Status.FAILED
            and covers(r)
            and (current is None or r.requested_at > current.requested_at)
        ),
        None,
    )
    return SnapshotStatus(current, below, live, failed)


# --- the records findings are about -----------------------------------------


@dataclass(frozen=True)
class TeamProfile:
    team: Team
    memberships: list[Membership]
    findings: list[FindingRecord]


def team_profile(*, user, pk: int) -> TeamProfile:
    """A team, its members (those the user may see) and its findings; three queries.

    Raises Team.DoesNotExist outside the user's scope.
    """
    team = scoped(
        user,
        Team.objects.select_related(
            "village__township", "village__county__parent", "term"
        ),
    ).get(pk=pk)
    memberships = list(
        scoped(user, Membership.objects.select_related("person", "unit"))
        .filter(team=team)
        .order_by("role", "start_date", "id")
    )
    findings = list(finding_list(user=user).filter(team_id=team.pk))
    return TeamProfile(team, memberships, findings)


@dataclass(frozen=True)
class PersonProfile:
    person: Person
    memberships: list[Membership]
    findings: list[FindingRecord]


def person_profile(*, user, pk: int) -> PersonProfile:
    """A cadre, the memberships the user may see and the findings; three queries.

    Raises Person.DoesNotExist outside the user's scope.
    """
    person = scoped(user, Person.objects.select_related("unit")).get(pk=pk)
    memberships = list(
        scoped(
            user,
            Membership.objects.select_related(
                "team__village__township", "team__village__county", "unit"
            ),
        )
        .filter(person=person)
        .order_by("-start_date", "-id")
    )
    findings = list(finding_list(user=user).filter(person_id=person.pk))
    return PersonProfile(person, memberships, findings)


def home_region(user) -> Region | None:
    """The region a user's pages start from: their scope's, or None (the province)."""
    scope = user_scope(user)
    if scope is not None and scope.region_id is not None:
        return scope.region
    return None
