"""Quarterly team reports: the county's list, a new report, one report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from attendance import exports, selectors
from attendance.forms import ReportForm
from attendance.services import team_report_submit
from zhucun.roles import require_perm

from .params import _found, _page, _quarter, _query, _region
from .visits import _team_param


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
