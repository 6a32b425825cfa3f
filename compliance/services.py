"""Writes of the compliance snapshot: evaluate the rules and replace the findings.

The rules engine takes seconds for the whole province, far too long for a page
view, so its findings are kept as ``FindingRecord`` rows that pages, the API and
the export read. ``compliance_refresh`` evaluates the province or one region and
replaces exactly that region's findings (a province refresh replaces them all).

Concurrency: every replacement locks the province's Region row first
(select_for_update), the one row that stands for "the snapshot", so two
refreshes of overlapping regions (the nightly province run and a county clerk's
button) write one after the other and never leave a finding twice. The
evaluation itself runs before the lock and outside the transaction: it only
reads, and holding the write lock for seconds would stall every clerk.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import ComplianceRun, FindingRecord
from compliance.rules import Finding, rule_codes, run_rules
from compliance.rules.registry import COUNTY, MEMBER, PAIRING, TEAM, UNIT, VILLAGE
from teams.models import Membership, Team, Unit
from villages.models import Region, Village
from zhucun.access import user_scope
from zhucun.audit import audit_record
from zhucun.models import UserScope

# Object ids are looked up in chunks that stay under every database's limit of
# parameters per statement.
CHUNK = 900
BATCH = 1000
# A run queued or under way for longer than this is taken for dead (its worker
# stopped): a new request for the region may then be made.
STALE_AFTER = datetime.timedelta(hours=1)

FINISHED = (ComplianceRun.Status.DONE, ComplianceRun.Status.FAILED)
LIVE = (ComplianceRun.Status.PENDING, ComplianceRun.Status.RUNNING)


def compliance_refresh(
    *,
    as_of: datetime.date,
    region: Region | None = None,
    run: ComplianceRun | None = None,
    user=None,
) -> ComplianceRun:
    """Evaluate every rule as of a day and replace the region's findings with them.

    ``region`` None is the province. ``run`` is a queued run to carry out (see
    ``compliance_request``); without one a new run is recorded. Running it twice
    leaves the same findings and one run of the region.
    """
    if run is None:
        run = ComplianceRun.objects.create(
            as_of=as_of, region=region, requested_by=user
        )
    started = timezone.now()
    ComplianceRun.objects.filter(pk=run.pk).update(
        status=ComplianceRun.Status.RUNNING, started_at=started
    )
    run.status, run.started_at = ComplianceRun.Status.RUNNING, started
    try:
        seconds: dict[str, float] = {}
        findings: list[Finding] = []
        for rule_run in run_rules(as_of, region):
            seconds[rule_run.rule.code] = round(rule_run.seconds, 3)
            findings.extend(rule_run.findings)
        records = finding_records(run, findings, region)
        _replace(run=run, region=region, records=records, seconds=seconds, user=user)
    except Exception as exc:
        ComplianceRun.objects.filter(pk=run.pk).update(
            status=ComplianceRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:300],
        )
        raise
    return run


@transaction.atomic
def _replace(
    *,
    run: ComplianceRun,
    region: Region | None,
    records: list[FindingRecord],
    seconds: dict[str, float],
    user,
) -> None:
    # The snapshot's lock (see the module docstring): taken before deleting, so a
    # refresh of an overlapping region cannot delete or insert in between.
    Region.objects.select_for_update().get(level=Region.Level.PROVINCE)
    stale = FindingRecord.objects.all()
    if region is not None:
        stale = stale.filter(path__startswith=region.path)
    stale.delete()
    FindingRecord.objects.bulk_create(records, batch_size=BATCH)
    run.status = ComplianceRun.Status.DONE
    run.finished_at = timezone.now()
    run.rule_seconds = seconds
    run.finding_count = len(records)
    run.error = ""
    run.save(
        update_fields=[
            "status",
            "finished_at",
            "rule_seconds",
            "finding_count",
            "error",
        ]
    )
    # Every finished run of this region or below it has just had its findings
    # replaced: only this one still stands behind them.
    superseded = ComplianceRun.objects.filter(status__in=FINISHED).exclude(pk=run.pk)
    if region is not None:
        superseded = superseded.filter(region__path__startswith=region.path)
    superseded.delete()
    audit_record(
        action="create",
        instance=run,
        changes={
            "as_of": run.as_of.isoformat(),
            "region": region.code if region else "",
            "finding_count": run.finding_count,
        },
        county_code=_county_code(region),
        user=user,
    )


def compliance_request(
    *, region: Region | None, as_of: datetime.date, user=None
) -> tuple[ComplianceRun, bool]:
    """Queue a refresh for the Celery worker; (run, created).

    A run of the same region already queued or under way is returned instead of
    a second one. The task is sent once the run is committed.
    """
    # compliance.tasks imports this module for compliance_refresh: a real cycle.
    from compliance.tasks import compliance_refresh_task

    with transaction.atomic():
        live = (
            ComplianceRun.objects.filter(
                status__in=LIVE, requested_at__gte=timezone.now() - STALE_AFTER
            )
            .filter(Q(region=region) if region else Q(region__isnull=True))
            .first()
        )
        if live is not None:
            return live, False
        run = ComplianceRun.objects.create(
            as_of=as_of, region=region, requested_by=user
        )
        audit_record(
            action="create",
            instance=run,
            changes={
                "as_of": as_of.isoformat(),
                "region": region.code if region else "",
                "status": run.status,
            },
            county_code=_county_code(region),
            user=user,
        )
        transaction.on_commit(lambda: compliance_refresh_task.delay(run_id=run.pk))
    return run, True


def _county_code(region: Region | None) -> str:
    if region is None:
        return ""
    if region.level == Region.Level.COUNTY:
        return region.code
    if region.level == Region.Level.TOWNSHIP:
        return region.parent.code
    return ""


# --- where each finding lies -------------------------------------------------


def _by_id(queryset, ids: Iterable[int], *fields: str) -> dict[int, tuple]:
    """{pk: (fields…)} of the rows with these ids, read in chunks."""
    wanted = sorted(set(ids))
    found: dict[int, tuple] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for pk, *values in queryset.filter(pk__in=chunk).values_list("pk", *fields):
            found[pk] = tuple(values)
    return found


def finding_records(
    run: ComplianceRun, findings: list[Finding], region: Region | None
) -> list[FindingRecord]:
    """The rows to store for ``findings``, each placed at its region's path.

    A few queries whatever the number of findings (one per kind of object and
    chunk of ids). Findings that lie outside ``region`` (a pairing seen from the
    assisting county, a unit's link county elsewhere) are left out: they belong
    to the snapshot of the region they lie in, which this refresh does not
    replace.
    """
    ids: dict[str, list[int]] = {}
    for finding in findings:
        ids.setdefault(finding.object_type, []).append(finding.object_id)
    places = Region.objects.filter(
        level__in=(Region.Level.PROVINCE, Region.Level.COUNTY)
    ).values_list("code", "id", "path", "level")
    counties = {
        code: (pk, path)
        for code, pk, path, level in places
        if level == Region.Level.COUNTY
    }
    root = next(path for _c, _p, path, level in places if level == "province")
    villages = _by_id(Village.objects, ids.get(VILLAGE, ()), "township__path")
    teams = _by_id(Team.objects, ids.get(TEAM, ()), "village__township__path")
    members = _by_id(
        Membership.objects,
        ids.get(MEMBER, ()),
        "team_id",
        "person_id",
        "team__village__township__path",
    )
    units = _by_id(Unit.objects, ids.get(UNIT, ()), "region__path")
    order = {code: index for index, code in enumerate(rule_codes())}

    records = []
    for finding in findings:
        county_id, county_path = counties.get(finding.county_code, (None, ""))
        team_id = person_id = None
        path = ""
        kind, pk = finding.object_type, finding.object_id
        if kind == VILLAGE and pk in villages:
            (path,) = villages[pk]
        elif kind == TEAM and pk in teams:
            (path,) = teams[pk]
            team_id = pk
        elif kind == MEMBER and pk in members:
            team_id, person_id, path = members[pk]
        elif kind == UNIT and not county_path and pk in units:
            (path,) = units[pk]
        elif kind in (COUNTY, PAIRING, UNIT):
            path = county_path
        path = path or county_path or root
        if region is not None and not path.startswith(region.path):
            continue
        records.append(
            FindingRecord(
                run=run,
                rule=finding.rule,
                severity=finding.severity,
                object_type=kind,
                object_id=pk,
                label=finding.label[:200],
                county_id=county_id,
                path=path,
                team_id=team_id,
                person_id=person_id,
                period=finding.period,
                message=finding.message,
            )
        )
    # Stored in reading order: by place, then in the order of rules.md.
    records.sort(
        key=lambda r: (r.path, order.get(r.rule, len(order)), r.period, r.label)
    )
    return records


def refresh_message(run: ComplianceRun) -> str:
    """What a clerk is told after a refresh of their region."""
    return _("已重新检查（截至%(day)s）：发现%(n)d条问题。") % {
        "day": f"{run.as_of:%Y-%m-%d}",
        "n": run.finding_count,
    }


def refresh_target(user) -> tuple[Region | None, bool] | None:
    """(region to refresh or None for the province, synchronously?) or None: no right.

    A county's clerks refresh their county on the spot (a county evaluates in a
    fraction of a second); the province and a prefecture queue a Celery run.
    """
    if user.is_superuser and user.is_active:
        return None, False
    scope = user_scope(user)
    if scope is None or not user.is_active:
        return None
    if scope.role == UserScope.Role.PROVINCE:
        return None, False
    if scope.role == UserScope.Role.PREFECTURE:
        return scope.region, False
    if scope.role == UserScope.Role.COUNTY:
        return scope.region, True
    return None
