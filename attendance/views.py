"""Pages of part 四: the monthly grid, completeness, visits, reports, meetings, inbox.

Every page reads through ``attendance.selectors`` (scoped) and writes through
``attendance.services``. A place outside the user's scope answers 404; a page the
user's role has no permission for answers 403.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    ObjectDoesNotExist,
    ValidationError,
)
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance import exports, selectors
from attendance.forms import (
    MeetingForm,
    ReopenForm,
    ReportForm,
    VisitForm,
    grid_input_name,
    parse_grid,
)
from attendance.periods import due_date
from attendance.services import (
    VALUE_FIELDS,
    attendance_grid_save,
    attendance_reopen,
    attendance_submit,
    field_label,
    grid_key,
    household_visit_create,
    leader_meeting_create,
    may_reopen,
    reminders_mark_read,
    team_report_submit,
)
from zhucun import clock
from zhucun.access import user_scope
from zhucun.models import UserScope
from zhucun.periods import (
    Quarter,
    month_code,
    month_display,
    month_of,
    parse_month,
    previous_month,
)
from zhucun.roles import require_perm

PER_PAGE = 50


def _found(getter, **kwargs):
    """The selector's row, or 404 (outside scope does not exist)."""
    try:
        return getter(**kwargs)
    except ObjectDoesNotExist:
        raise Http404(_("记录不存在或不在您的管辖范围内。")) from None


def _page(request, rows, per_page: int = PER_PAGE):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _entry_month() -> datetime.date:
    """The month a clerk most likely records: last month until its due day, then this one."""
    today = clock.today()
    current = month_of(today)
    last = previous_month(current)
    return last if today <= due_date(last) else current


def _month(request, default):
    text = request.GET.get("month") or request.POST.get("month")
    if not text:
        return default
    try:
        return parse_month(text)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return default


def _quarter(request) -> Quarter:
    text = request.GET.get("quarter") or request.POST.get("quarter")
    if text:
        try:
            return Quarter.parse(text)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    return Quarter.of(clock.today())


def _region(request):
    """The region asked for (?region=CODE, in scope or 404), else the user's own."""
    code = (request.GET.get("region") or "").strip()
    if code:
        return _found(selectors.region_get, user=request.user, code=code)
    return selectors.home_region(request.user)


def _query(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


# --- The monthly grid ------------------------------------------------------------------


def _township(request):
    """The township of the grid: the clerk's own, or the one asked for (in scope)."""
    code = (request.GET.get("township") or request.POST.get("township") or "").strip()
    scope = user_scope(request.user)
    if not code and scope is not None and scope.role == UserScope.Role.TOWNSHIP:
        code = scope.region.code
    if not code:
        return None
    return _found(selectors.township_get, user=request.user, code=code)


def _grid_url(township, month) -> str:
    return (
        reverse("attendance:grid")
        + "?"
        + _query(township=township.code, month=month_code(month))
    )


_NUMBER_ATTRS = 'inputmode="numeric" autocomplete="off" data-day'
_REMARK_ATTRS = 'class="grid-remark" maxlength="200"'


def _grid_rows(grid, *, editable: bool, posted=None, errors=None):
    """Rows for the template, each cell's input rendered here.

    A grid holds up to a hundred members of four cells each: writing the inputs
    here (every value escaped) instead of with template tags keeps the page fast.
    """
    errors = errors or {}
    labels = {field: escape(field_label(field)) for field in VALUE_FIELDS}
    rows = []
    for row in grid.rows:
        person = escape(row.person_name)
        cells = []
        for field in VALUE_FIELDS:
            name = grid_input_name(row.membership_id, field)
            if posted is not None:
                value = posted.get(name, "")
            else:
                value = getattr(row, field)
                value = "" if value is None else value
            if not editable:
                cells.append(value)
                continue
            problems = errors.get(grid_key(row.membership_id, field))
            invalid = (
                f' aria-invalid="true" title="{escape(" ".join(problems))}"'
                if problems
                else ""
            )
            attrs = _REMARK_ATTRS if field == "remark" else _NUMBER_ATTRS
            cells.append(
                mark_safe(  # every interpolated value is escaped above
                    f'<input type="text" name="{name}" value="{escape(value)}" '
                    f'{attrs} aria-label="{person} {labels[field]}"{invalid}>'
                )
            )
        rows.append({"row": row, "cells": cells})
    return rows


def _render_grid(request, township, month, *, posted=None, errors=None, status=200):
    grid = selectors.grid_get(user=request.user, township=township, month=month)
    user = request.user
    may_edit = user.has_perms(
        ["attendance.add_monthlyattendance", "attendance.change_monthlyattendance"]
    )
    messages_list = [m for messages_ in (errors or {}).values() for m in messages_]
    editable = may_edit and not grid.locked
    return render(
        request,
        "attendance/grid.html",
        {
            "grid": grid,
            "rows": _grid_rows(grid, editable=editable, posted=posted, errors=errors),
            "month_code": month_code(month),
            "month_label": month_display(month),
            "previous": month_code(previous_month(month)),
            "following": month_code(
                month.replace(year=month.year + 1, month=1)
                if month.month == 12
                else month.replace(month=month.month + 1)
            ),
            "due": due_date(month),
            "errors": messages_list,
            "may_edit": editable,
            "may_submit": may_edit
            and user.has_perm("attendance.change_attendancesubmission")
            and not grid.locked
            and bool(grid.rows),
            "may_reopen": grid.locked and may_reopen(user),
            "reopen_form": ReopenForm(),
            "fields": [field_label(f) for f in VALUE_FIELDS],
        },
        status=status,
    )


@login_required
def grid(request):
    """The township's month: one row per member, saved in one request."""
    require_perm(request.user, "attendance.view_monthlyattendance")
    township = _township(request)
    if township is None:
        return _choose_township(request)
    month = _month(request, _entry_month())
    if request.method != "POST":
        return _render_grid(request, township, month)
    require_perm(
        request.user,
        ("attendance.add_monthlyattendance", "attendance.change_monthlyattendance"),
    )
    entries, bad = parse_grid(request.POST)
    errors: dict[str, list[str]] = {}
    if bad:
        names = {
            row.membership_id: row.person_name
            for row in selectors.grid_get(
                user=request.user, township=township, month=month
            ).rows
        }
        for membership_id, field, text in bad:
            errors[grid_key(membership_id, field)] = [
                _("%(name)s的%(field)s“%(text)s”不是整数。")
                % {
                    "name": names.get(membership_id, membership_id),
                    "field": field_label(field),
                    "text": text,
                }
            ]
    else:
        try:
            result = attendance_grid_save(
                user=request.user, township=township, month=month, entries=entries
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(
                request,
                _(
                    "已保存%(month)s考勤：新增%(created)d人，修改%(updated)d人，未变%(same)d人。"
                )
                % {
                    "month": month_display(month),
                    "created": result.created,
                    "updated": result.updated,
                    "same": result.unchanged,
                },
            )
            return redirect(_grid_url(township, month))
    return _render_grid(
        request, township, month, posted=request.POST, errors=errors, status=400
    )


def _choose_township(request):
    region = selectors.home_region(request.user)
    townships = selectors.township_choices(user=request.user)
    return render(
        request,
        "attendance/grid_choose.html",
        {
            "page": _page(request, townships),
            "region": region,
            "month_code": month_code(_month(request, _entry_month())),
        },
    )


@login_required
@require_POST
def grid_submit(request):
    """Submit (报送) the township's month; it is locked until the county reopens it."""
    require_perm(
        request.user,
        ("attendance.add_monthlyattendance", "attendance.change_attendancesubmission"),
    )
    township = _township(request)
    if township is None:
        raise Http404
    month = _month(request, _entry_month())
    try:
        attendance_submit(user=request.user, township=township, month=month)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(township)s%(month)s的考勤已报送，现已锁定。")
            % {"township": township.name, "month": month_display(month)},
        )
    return redirect(_grid_url(township, month))


@login_required
@require_POST
def grid_reopen(request):
    """Reopen (退回) a submitted month, with a reason; the county's step."""
    township = _township(request)
    if township is None:
        raise Http404
    month = _month(request, _entry_month())
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回原因。"))
        return redirect(_grid_url(township, month))
    try:
        attendance_reopen(
            user=request.user,
            township=township,
            month=month,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已退回%(township)s%(month)s的考勤，乡镇可修改后重新报送。")
            % {"township": township.name, "month": month_display(month)},
        )
    return redirect(_grid_url(township, month))


# --- Completeness and timeliness -------------------------------------------------------


def _last_month():
    return previous_month(month_of(clock.today()))


@login_required
def completeness(request):
    """Per township: submitted? on time? rows recorded of expected (DHIS2's report)."""
    require_perm(request.user, "attendance.view_attendancesubmission")
    month = _month(request, _last_month())
    region = _region(request)
    page = _page(
        request,
        selectors.completeness_townships(user=request.user, month=month, region=region),
    )
    rows = selectors.completeness_rows(month=month, townships=page.object_list)
    summary = selectors.completeness_summary(
        user=request.user, month=month, region=region
    )
    return render(
        request,
        "attendance/completeness.html",
        {
            "page": page,
            "rows": rows,
            "summary": summary,
            "month_code": month_code(month),
            "month_label": month_display(month),
            "due": due_date(month),
            "region": region,
            "export_query": _query(
                month=month_code(month), region=request.GET.get("region")
            ),
        },
    )


@login_required
def completeness_xlsx(request):
    require_perm(request.user, "attendance.view_attendancesubmission")
    month = _month(request, _last_month())
    region = _region(request)
    townships = selectors.completeness_townships(
        user=request.user, month=month, region=region
    )
    rows = selectors.completeness_rows(month=month, townships=townships)
    return exports.completeness_export(
        month=month, region_name=region.name if region else "", rows=rows
    )


# --- Household visits --------------------------------------------------------------------


@login_required
def coverage(request):
    """The quarter's visit coverage of each team."""
    require_perm(request.user, "attendance.view_householdvisit")
    quarter = _quarter(request)
    region = _region(request)
    page = _page(
        request,
        selectors.visit_coverage(user=request.user, quarter=quarter, region=region),
    )
    return render(
        request,
        "attendance/coverage.html",
        {"page": page, "quarter": quarter, "region": region},
    )


@login_required
def team_visits(request, team_id: int):
    """A team's visit log of the quarter, its coverage and the form to log a visit."""
    require_perm(request.user, "attendance.view_householdvisit")
    team = _found(selectors.visible_team_get, user=request.user, pk=team_id)
    quarter = _quarter(request)
    members = selectors.team_members_in(team=team, quarter=quarter)
    households = selectors.team_households(team=team, quarter=quarter)
    may_add = request.user.has_perm("attendance.add_householdvisit")
    form = VisitForm(
        request.POST if request.method == "POST" else None,
        members=members,
        households=households,
        initial={"household": request.GET.get("household")},
    )
    if request.method == "POST":
        require_perm(request.user, "attendance.add_householdvisit")
        if form.is_valid():
            data = form.cleaned_data
            try:
                household_visit_create(
                    user=request.user,
                    team=team,
                    household=data["household"],
                    membership=data["membership"],
                    visited_on=data["visited_on"],
                    notes=data["notes"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _("已记录对%(name)s户的走访。")
                    % {"name": data["household"].head_name},
                )
                return redirect(
                    reverse("attendance:team-visits", args=[team.pk])
                    + "?"
                    + _query(quarter=quarter.code)
                )
    summary = selectors.visit_coverage(
        user=request.user, quarter=quarter, team_id=team.pk
    ).first()
    priority = [h for h in households if h.is_priority]
    visits = selectors.visit_list(
        user=request.user, filters={"team": team.pk, "quarter": quarter.code}
    )
    return render(
        request,
        "attendance/team_visits.html",
        {
            "team": team,
            "quarter": quarter,
            "summary": summary,
            "priority": priority,
            "page": _page(request, visits),
            "form": form if may_add else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def unvisited(request):
    """Households not yet visited this quarter."""
    require_perm(request.user, "attendance.view_householdvisit")
    quarter = _quarter(request)
    region = _region(request)
    team_id = _team_param(request)
    page = _page(
        request,
        selectors.unvisited_households(
            user=request.user, quarter=quarter, region=region, team_id=team_id
        ),
    )
    return render(
        request,
        "attendance/unvisited.html",
        {
            "page": page,
            "quarter": quarter,
            "region": region,
            "team_id": team_id,
            "export_query": _query(
                quarter=quarter.code, region=request.GET.get("region"), team=team_id
            ),
        },
    )


def _team_param(request) -> int | None:
    text = (request.GET.get("team") or "").strip()
    return int(text) if text.isdigit() else None


@login_required
def unvisited_xlsx(request):
    require_perm(request.user, "attendance.view_householdvisit")
    quarter = _quarter(request)
    households = selectors.unvisited_households(
        user=request.user,
        quarter=quarter,
        region=_region(request),
        team_id=_team_param(request),
    )
    return exports.unvisited_export(quarter=quarter, households=households)


# --- Quarterly reports -----------------------------------------------------------------------


def _missing(request) -> bool:
    return request.GET.get("missing") in ("1", "true", "on")


@login_required
def reports(request):
    """Teams of the quarter and their report (思想、工作、学习); ``missing=1`` for the gaps."""
    require_perm(request.user, "attendance.view_teamreport")
    quarter = _quarter(request)
    region = _region(request)
    missing = _missing(request)
    page = _page(
        request,
        selectors.report_status(
            user=request.user, quarter=quarter, region=region, missing=missing
        ),
    )
    return render(
        request,
        "attendance/reports.html",
        {
            "page": page,
            "quarter": quarter,
            "region": region,
            "missing": missing,
            "show_missing": True,
            "may_add": request.user.has_perm("attendance.add_teamreport"),
            "export_query": _query(
                quarter=quarter.code,
                region=request.GET.get("region"),
                missing="1" if missing else "",
            ),
        },
    )


@login_required
def reports_xlsx(request):
    require_perm(request.user, "attendance.view_teamreport")
    quarter = _quarter(request)
    teams = selectors.report_status(
        user=request.user,
        quarter=quarter,
        region=_region(request),
        missing=_missing(request),
    )
    return exports.reports_export(quarter=quarter, teams=teams)


@login_required
def report_new(request):
    """File or correct a team's quarterly report."""
    require_perm(
        request.user, ("attendance.add_teamreport", "attendance.change_teamreport")
    )
    team_id = _team_param(request) or (
        int(request.POST["team"]) if request.POST.get("team", "").isdigit() else None
    )
    if team_id is None:
        raise Http404
    team = _found(selectors.visible_team_get, user=request.user, pk=team_id)
    quarter = _quarter(request)
    existing = selectors.team_report_of(team=team, quarter=quarter)
    initial = {}
    if existing is not None:
        initial = {
            "thinking": existing.thinking,
            "work": existing.work,
            "study": existing.study,
            "submitted_on": existing.submitted_on,
        }
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team_report_submit(
                user=request.user,
                team=team,
                quarter=quarter,
                thinking=data["thinking"],
                work=data["work"],
                study=data["study"],
                submitted_on=data["submitted_on"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                _("已报送%(team)s%(quarter)s工作报告。")
                % {"team": team, "quarter": quarter.display},
            )
            return redirect(
                reverse("attendance:reports")
                + "?"
                + _query(quarter=quarter.code, region=team.village.township.code)
            )
    return render(
        request,
        "attendance/report_form.html",
        {"form": form, "team": team, "quarter": quarter, "existing": existing},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def report_detail(request, pk: int):
    require_perm(request.user, "attendance.view_teamreport")
    report = _found(selectors.report_get, user=request.user, pk=pk)
    return render(request, "attendance/report_detail.html", {"report": report})


# --- County team-leader meetings -------------------------------------------------------------


@login_required
def meetings(request):
    """Counties and their team-leader meetings of the quarter; ``missing=1`` for the gaps."""
    require_perm(request.user, "attendance.view_leadermeeting")
    quarter = _quarter(request)
    region = _region(request)
    missing = _missing(request)
    page = _page(
        request,
        selectors.meeting_status(
            user=request.user, quarter=quarter, region=region, missing=missing
        ),
    )
    held = selectors.quarter_meetings(
        county_ids=[c.pk for c in page.object_list], quarter=quarter
    )
    return render(
        request,
        "attendance/meetings.html",
        {
            "page": page,
            "rows": [(c, held.get(c.pk, [])) for c in page.object_list],
            "quarter": quarter,
            "region": region,
            "missing": missing,
            "show_missing": True,
            "may_add": request.user.has_perm("attendance.add_leadermeeting"),
            "export_query": _query(
                quarter=quarter.code,
                region=request.GET.get("region"),
                missing="1" if missing else "",
            ),
        },
    )


@login_required
def meetings_xlsx(request):
    require_perm(request.user, "attendance.view_leadermeeting")
    quarter = _quarter(request)
    counties = list(
        selectors.meeting_status(
            user=request.user,
            quarter=quarter,
            region=_region(request),
            missing=_missing(request),
        )
    )
    held = selectors.quarter_meetings(
        county_ids=[c.pk for c in counties], quarter=quarter
    )
    return exports.meetings_export(quarter=quarter, counties=counties, meetings=held)


def _meeting_county(request):
    scope = user_scope(request.user)
    code = (request.GET.get("county") or request.POST.get("county") or "").strip()
    if not code and scope is not None and scope.role == UserScope.Role.COUNTY:
        code = scope.region.code
    if not code:
        raise Http404(_("请指定县（市、区）。"))
    return _found(selectors.county_get, user=request.user, code=code)


@login_required
def meeting_new(request):
    """Record a county's team-leader meeting and who attended."""
    require_perm(request.user, "attendance.add_leadermeeting")
    county = _meeting_county(request)
    quarter = _quarter(request)
    default_day = min(clock.today(), quarter.last)
    form = MeetingForm(
        request.POST or None,
        candidates=selectors.meeting_candidates(county=county, quarter=quarter),
        default_day=default_day,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = leader_meeting_create(
                user=request.user,
                county=county,
                held_on=data["held_on"],
                minutes=data["minutes"],
                attendees=data["attendees"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("已记录队长会议。"))
            return redirect("attendance:meeting-detail", pk=meeting.pk)
    return render(
        request,
        "attendance/meeting_form.html",
        {"form": form, "county": county, "quarter": quarter},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def meeting_detail(request, pk: int):
    require_perm(request.user, "attendance.view_leadermeeting")
    meeting = _found(selectors.meeting_get, user=request.user, pk=pk)
    attendees = meeting.attendees.select_related(
        "person", "team__village__township"
    ).order_by("team__village__township__code", "team__village__name")
    return render(
        request,
        "attendance/meeting_detail.html",
        {"meeting": meeting, "attendees": attendees},
    )


# --- Rollups -------------------------------------------------------------------------------------


@login_required
def rollups(request):
    """The month's in-post rates of a region and of each region (or team) under it."""
    require_perm(request.user, "attendance.view_monthlyattendance")
    month = _month(request, _last_month())
    region = _region(request)
    own, children = (None, [])
    if region is not None:
        own, children = selectors.rollup_overview(
            user=request.user, region=region, month=month
        )
    return render(
        request,
        "attendance/rollups.html",
        {
            "region": region,
            "own": own,
            "children": children,
            "month_code": month_code(month),
            "month_label": month_display(month),
            "previous": month_code(previous_month(month)),
            # The level above, read from the path (no query for the parent row).
            "parent_code": _parent_code(region),
        },
    )


def _parent_code(region) -> str:
    codes = region.path.strip("/").split("/") if region is not None else []
    return codes[-2] if len(codes) >= 2 else ""


# --- The inbox -------------------------------------------------------------------------------------


@login_required
def inbox(request):
    """The user's reminders, unread first."""
    return render(
        request,
        "attendance/inbox.html",
        {"page": _page(request, selectors.inbox(user=request.user))},
    )


@login_required
@require_POST
def inbox_read(request):
    """Mark one reminder (``id``) or all of them (no ``id``) read."""
    ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    count = reminders_mark_read(user=request.user, ids=ids or None)
    messages.success(request, _("已将%(n)d条提醒标为已读。") % {"n": count})
    return redirect("attendance:inbox")
