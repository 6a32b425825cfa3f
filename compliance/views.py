"""Pages of compliance (合规检查): overview, findings, export, team and person pages.

They read the latest snapshot through ``compliance.selectors`` (a fixed
number of queries each, whatever the size of the province) and never evaluate a
rule; the "重新检查" button refreshes the snapshot (``compliance_services``).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compliance import selectors as selectors
from compliance.export import MAX_ROWS, findings_workbook
from compliance.filters import FILTER_NAMES, rule_choices
from compliance.models import FindingRecord
from compliance.services import (
    compliance_refresh,
    compliance_request,
    refresh_message,
    refresh_target,
)
from teams.models import Person, Team, Unit
from villages.filters import region_in_scope
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped
from zhucun.id_numbers import mask_id_number
from zhucun.pages import xlsx_attachment
from zhucun.pagination import CappedCountPaginator

PAGE_SIZE = 50

logger = logging.getLogger(__name__)


# --- filters ---------------------------------------------------------------------


def _filters(request) -> dict[str, str]:
    """The finding filters of the query string (the selectors validate them)."""
    return {
        name: request.GET[name].strip()
        for name in FILTER_NAMES
        if request.GET.get(name, "").strip()
    }


def _region_of(filters: dict[str, str], user) -> Region:
    """The region a page is about: ``?region=``, else the user's, else the province.

    A ``?region=`` unknown or outside the user's scope is 404, as its path is.
    """
    code = filters.get("region")
    if code:
        return region_in_scope(user=user, code=code)
    return selectors.home_region(user) or Region.objects.get(
        level=Region.Level.PROVINCE
    )


def _form_context(filters: dict[str, str]) -> dict:
    return {
        "filters": filters,
        "rule_choices": rule_choices(),
        "severity_choices": FindingRecord.Severity.choices,
        "object_type_choices": FindingRecord.ObjectType.choices,
    }


def _errors(exc: ValidationError) -> list[str]:
    return [m for messages_ in exc.message_dict.values() for m in messages_]


# --- who may refresh what ------------------------------------------------------


# --- links from a finding to the record it is about ----------------------------


def _attach_links(user, findings: list[FindingRecord]) -> None:
    """Set ``finding.link`` to the page of the record it is about ("" when none).

    Teams and people have their own pages here; villages, units and pairings
    open in the admin when the user may view them there (a unit only when in the
    user's scope: one query when the page shows unit findings); a county opens
    its overview. Otherwise the findings list narrowed to that object.
    """
    overview = reverse("compliance:overview")
    findings_url = reverse("compliance:findings")
    may_admin = getattr(user, "is_staff", False)
    unit_ids = {f.object_id for f in findings if f.object_type == "unit"}
    units_shown: set[int] = set()
    if unit_ids and may_admin and user.has_perm("teams.view_unit"):
        units_shown = set(
            scoped(user, Unit.objects.filter(pk__in=unit_ids))
            .order_by()
            .values_list("pk", flat=True)
        )
    for finding in findings:
        kind, pk = finding.object_type, finding.object_id
        link = ""
        if kind == "team":
            link = reverse("compliance:team", args=[pk])
        elif kind == "member":
            if finding.person_id:
                link = reverse("compliance:person", args=[finding.person_id])
            elif finding.team_id:
                link = reverse("compliance:team", args=[finding.team_id])
        elif kind == "county" and finding.county_id:
            link = f"{overview}?region={finding.county_code}"
        elif kind == "village" and may_admin and user.has_perm("villages.view_village"):
            link = reverse("admin:villages_village_change", args=[pk])
        elif kind == "pairing" and may_admin and user.has_perm("teams.view_pairing"):
            link = reverse("admin:teams_pairing_change", args=[pk])
        elif kind == "unit" and pk in units_shown:
            link = reverse("admin:teams_unit_change", args=[pk])
        finding.link = link or f"{findings_url}?object_type={kind}&object_id={pk}"


# --- pages ---------------------------------------------------------------------


def _drill_links(request, region: Region, drilldown) -> list[tuple]:
    """(row, link) of each drill-down row; built here, not in the template, since
    a county can have hundreds of teams and a template tag per row is slow."""
    if drilldown is None:
        return []
    overview_url = reverse("compliance:overview")
    findings_url = reverse("compliance:findings")
    kept = request.GET.copy()
    kept.pop("page", None)

    def query(**changes) -> str:
        params = kept.copy()
        for key, value in changes.items():
            params[key] = value
        return "?" + params.urlencode()

    links = []
    for row in drilldown.rows:
        if row.team_id:
            link = reverse("compliance:team", args=[row.team_id])
        elif row.object_type:
            link = findings_url + query(region=region.code, object_type=row.object_type)
        elif row.is_own_level:
            link = findings_url + query(region=row.region.code)
        else:
            link = overview_url + query(region=row.region.code)
        links.append((row, link))
    return links


@login_required
def overview(request):
    """Counts per rule and severity for a region, and the drill-down below it."""
    user = request.user
    filters = _filters(request)
    context = _form_context(filters)
    errors: list[str] = []
    summary = drilldown = None
    try:
        region = _region_of(filters, user)
    except ValidationError as exc:
        errors = _errors(exc)
        region = _region_of({}, user)
    else:
        try:
            counts = selectors.finding_overview(
                user=user, region=region, filters=filters
            )
            summary, drilldown = counts.summary, counts.drilldown
        except ValidationError as exc:
            errors = _errors(exc)
    context.update(
        drill_rows=_drill_links(request, region, drilldown),
        region=region,
        breadcrumb=list(
            Region.objects.filter(path__in=selectors.paths_above(region.path)).order_by(
                "path"
            )
        ),
        summary=summary,
        drilldown=drilldown,
        errors=errors,
        status=selectors.snapshot_status(
            user=user,
            region=None if region.level == Region.Level.PROVINCE else region,
        ),
        refresh=refresh_target(user),
    )
    return render(request, "compliance/overview.html", context)


@login_required
def finding_list(request):
    """The findings, filtered by rule, severity, region and period; 50 a page."""
    user = request.user
    filters = _filters(request)
    context = _form_context(filters)
    errors: list[str] = []
    page = None
    region = None
    try:
        if filters.get("region"):
            region = _region_of(filters, user)
        rest = {k: v for k, v in filters.items() if k != "region"}
        rows = selectors.finding_list(user=user, filters=rest, within=region)
        paginator = CappedCountPaginator(rows, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        _attach_links(user, page.object_list)
    except ValidationError as exc:
        errors = _errors(exc)
    region = region or selectors.home_region(user)
    context.update(
        page=page,
        errors=errors,
        region=region,
        status=selectors.snapshot_status(
            user=user,
            region=None
            if region is None or region.level == Region.Level.PROVINCE
            else region,
        ),
    )
    return render(request, "compliance/finding_list.html", context)


@login_required
def finding_export(request):
    """The findings list, with its filters, as an xlsx workbook."""
    user = request.user
    filters = _filters(request)
    try:
        region = _region_of(filters, user)
        rest = {k: v for k, v in filters.items() if k != "region"}
        rows = selectors.finding_list(
            user=user, filters=rest, within=region if filters.get("region") else None
        )
        total = rows.order_by()[: MAX_ROWS + 1].count()
    except ValidationError as exc:
        return HttpResponse(
            "；".join(_errors(exc)),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if total > MAX_ROWS:
        return HttpResponse(
            _("符合条件的问题超过%(max)d条，请缩小筛选范围后再导出。")
            % {"max": MAX_ROWS},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    status = selectors.snapshot_status(
        user=user, region=None if region.level == Region.Level.PROVINCE else region
    )
    as_of = f"{status.as_of:%Y-%m-%d}" if status.as_of else _("未检查")
    title = _("驻村工作队合规检查问题清单（%(region)s，截至%(day)s）") % {
        "region": region.full_name if region.parent_id else region.name,
        "day": as_of,
    }
    body = findings_workbook(rows.iterator(chunk_size=2000), title=title)
    return xlsx_attachment(body, f"合规问题清单_{region.code}_{as_of}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def refresh(request):
    """Refresh the snapshot of the user's region, after a confirmation page."""
    target = refresh_target(request.user)
    if target is None:
        raise PermissionDenied
    region, synchronous = target
    if request.method == "POST":
        today = clock.today()
        if synchronous:
            try:
                run = compliance_refresh(as_of=today, region=region, user=request.user)
            except Exception:  # noqa: BLE001 - recorded on the run, shown on the page
                logger.exception("compliance refresh of %s failed", region)
                messages.error(
                    request, _("重新检查失败，页面仍显示上一次的结果。请稍后重试。")
                )
            else:
                messages.success(request, refresh_message(run))
        else:
            run, created = compliance_request(
                region=region, as_of=today, user=request.user
            )
            messages.info(
                request,
                _("已提交重新检查，正在后台进行，完成后本页自动更新。")
                if created
                else _("该范围的重新检查已在进行中，完成后本页自动更新。"),
            )
        url = reverse("compliance:overview")
        return redirect(f"{url}?region={region.code}" if region else url)
    return render(
        request,
        "compliance/refresh_confirm.html",
        {
            "region": region,
            "synchronous": synchronous,
            "today": clock.today(),
        },
    )


@login_required
def team_detail(request, pk: int):
    """A team's essentials and its own findings (with its members')."""
    try:
        profile = selectors.team_profile(user=request.user, pk=pk)
    except Team.DoesNotExist:
        raise Http404(_("记录不存在或不在您的管辖范围内。")) from None
    _attach_links(request.user, profile.findings)
    for finding in profile.findings:
        if finding.object_type == "team" and finding.object_id == pk:
            finding.link = ""  # this very page
    village = profile.team.village
    return render(
        request,
        "compliance/team_detail.html",
        {
            "profile": profile,
            "team": profile.team,
            "county": village.county,
            "status": selectors.snapshot_status(
                user=request.user, region=village.township
            ),
        },
    )


@login_required
def person_detail(request, pk: int):
    """A cadre's essentials (ID masked), memberships and own findings."""
    try:
        profile = selectors.person_profile(user=request.user, pk=pk)
    except Person.DoesNotExist:
        raise Http404(_("记录不存在或不在您的管辖范围内。")) from None
    _attach_links(request.user, profile.findings)
    for finding in profile.findings:
        if finding.object_type == "member":
            finding.link = ""  # about this person: this very page
    return render(
        request,
        "compliance/person_detail.html",
        {
            "profile": profile,
            "person": profile.person,
            "masked_id": mask_id_number(profile.person.id_number),
            "status": selectors.snapshot_status(
                user=request.user, region=selectors.home_region(request.user)
            ),
        },
    )
