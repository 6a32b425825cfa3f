"""County team-leader meetings: the list, a new meeting, one meeting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from attendance import exports, selectors
from attendance.forms import MeetingForm
from attendance.services import leader_meeting_create
from zhucun import clock
from zhucun.access import user_scope
from zhucun.models import UserScope
from zhucun.roles import require_perm

from .params import _found, _page, _quarter, _query, _region
from .reports import _missing


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
