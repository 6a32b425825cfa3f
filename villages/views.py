"""Pages of villages: the list (search, filters, sort, export) and each village.

The list reads ``teams.selectors.village_directory`` and shares its pieces
(region select, sort links, the workbook export) with the units and people lists
in ``teams.directory``. A village outside the user's scope answers 404.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from teams import selectors as teams
from teams.selectors import region_choices
from villages import selectors
from villages.models import Village
from villages.selectors import region_by_code
from zhucun import clock
from zhucun.pages import (
    NOT_FOUND,
    filtered,
    list_context,
    paginate,
    sort_columns,
    wants_xlsx,
)
from zhucun.queries import active_on
from zhucun.workbooks.exporter import export_response


@login_required
@permission_required("villages.view_village", raise_exception=True)
def village_list(request):
    """Villages: search, region, flags, sort, export in the village roster's layout."""
    user = request.user
    villages, errors = filtered(
        teams.village_directory,
        user=user,
        filters=request.GET,
        empty=Village.objects.none(),
    )
    if wants_xlsx(request) and not errors:
        return export_response(
            user=request.user,
            county=region_by_code(request.GET.get("region", "")),
            kind="villages",
            pks=villages.values_list("pk", flat=True),
        )
    page = paginate(request, villages)
    sorts = sort_columns(
        request,
        [
            ("county", _("县（市、区）")),
            ("township", _("乡（镇）")),
            ("name", _("村名")),
            ("households", _("户数")),
        ],
        default="county",
    )
    context = list_context(
        request,
        regions=region_choices(request.user),
        page=page,
        errors=errors,
        sorts=sorts,
        flags=[
            (key, label, request.GET.get(key, ""))
            for key, label in (
                ("is_registered_poor", _("建档立卡贫困村")),
                ("is_extremely_poor", _("极度贫困村")),
                ("liangshan", _("凉山州")),
            )
        ],
    )
    status = 400 if errors else 200
    return render(request, "villages/village_list.html", context, status=status)


@login_required
@permission_required("villages.view_village", raise_exception=True)
def village_detail(request, pk: int):
    """A village, where it lies, its households and its teams (current and past)."""
    user = request.user
    try:
        village = selectors.village_get(user=user, pk=pk)
    except Village.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    today = clock.today()
    team_rows = (
        teams.team_list(user=user)
        .filter(village=village)
        .annotate(
            members_now=Count(
                "memberships", filter=Q(active_on(today, "memberships__"))
            )
        )
        .order_by("-start_date", "-pk")
    )
    rows = [
        (
            team,
            reverse("teams:team-detail", args=[team.pk]),
            team.start_date <= today
            and (team.end_date is None or team.end_date >= today),
        )
        for team in team_rows
    ]
    context = {
        "village": village,
        "county": village.county,
        "prefecture": village.county.parent,
        "households": selectors.village_households(user=user, village=village),
        "teams": rows,
        "today": today,
    }
    return render(request, "villages/village_detail.html", context)
