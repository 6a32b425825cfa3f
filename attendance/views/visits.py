"""Household visits: the quarter's coverage, a team's visits, unvisited households."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from attendance import exports, selectors
from attendance.forms import VisitForm
from attendance.services import household_visit_create
from teams.models import Team
from zhucun.access import get_scoped_or_404
from zhucun.pages import NOT_FOUND
from zhucun.roles import require_perm

from .params import _found, _page, _quarter, _query, _region


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
    """The ``?team=`` asked for; 404 for a team outside the scope (or no team)."""
    text = (request.GET.get("team") or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise Http404(NOT_FOUND)
    return get_scoped_or_404(request.user, Team.objects.only("pk"), pk=int(text)).pk


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
