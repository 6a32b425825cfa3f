"""The directory pages: units and people, and what the village list shares with them.

Each list reads its rows from the app's ``*_directory`` selector (the API's filter
set, plus a search, flags and a whitelisted sort), pages 50 rows at a time, and
exports the filtered rows with ``?format=xlsx`` in the layout they are imported in
(``zhucun.workbooks.exporter``). A person's page is the record
``assessments:person-record``; there is no second one here.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from teams import selectors
from teams.models import Membership, Person, Unit
from teams.selectors import region_choices
from villages.selectors import region_by_code
from zhucun import clock
from zhucun.id_numbers import mask_id_number
from zhucun.pages import (
    NOT_FOUND,
    filtered,
    list_context,
    paginate,
    sort_columns,
    wants_xlsx,
)
from zhucun.workbooks.exporter import export_response

# --- units -----------------------------------------------------------------------------


@login_required
@permission_required("teams.view_unit", raise_exception=True)
def unit_list(request):
    """Dispatching units: search, region, level, type, sort, export."""
    user = request.user
    units, errors = filtered(
        selectors.unit_directory,
        user=user,
        filters=request.GET,
        empty=Unit.objects.none(),
    )
    if wants_xlsx(request) and not errors:
        return export_response(
            user=request.user,
            county=region_by_code(request.GET.get("region", "")),
            kind="units",
            pks=units.values_list("pk", flat=True),
        )
    page = paginate(request, units)
    sorts = sort_columns(
        request,
        [
            ("name", _("单位名称")),
            ("level", _("单位层级")),
            ("region", _("所在地区")),
            ("staff", _("在编在岗人数")),
            ("serving", _("在驻干部")),
        ],
        default="level",
    )
    context = list_context(
        request,
        regions=region_choices(request.user),
        page=page,
        errors=errors,
        sorts=sorts,
        levels=Unit.Level.choices,
        types=Unit.Type.choices,
        level=request.GET.get("level", ""),
        unit_type=request.GET.get("unit_type", ""),
    )
    status = 400 if errors else 200
    return render(request, "teams/directory/unit_list.html", context, status=status)


@login_required
@permission_required("teams.view_unit", raise_exception=True)
def unit_detail(request, pk: int):
    """A unit and its members in post today (those the user may see)."""
    user = request.user
    try:
        unit = selectors.unit_get(user=user, pk=pk)
    except Unit.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    today = clock.today()
    members = [
        (m, reverse("teams:team-detail", args=[m.team_id]))
        for m in selectors.unit_members_serving(user=user, unit=unit, today=today)
    ]
    context = {"unit": unit, "members": members, "today": today}
    return render(request, "teams/directory/unit_detail.html", context)


# --- people ----------------------------------------------------------------------------


@login_required
@permission_required("teams.view_person", raise_exception=True)
def person_list(request):
    """Cadres: search, region, unit, flags, sort, export (the roster of their terms)."""
    user = request.user
    people, errors = filtered(
        selectors.person_directory,
        user=user,
        filters=request.GET,
        empty=Person.objects.none(),
    )
    if wants_xlsx(request) and not errors:
        memberships = Membership.objects.filter(person__in=people.values("pk"))
        return export_response(
            user=request.user,
            county=region_by_code(request.GET.get("region", "")),
            kind="roster",
            pks=memberships.values_list("pk", flat=True),
        )
    page = paginate(request, people)
    rows = [
        (
            person,
            mask_id_number(person.id_number),
            [
                (m, reverse("teams:team-detail", args=[m.team_id]))
                for m in person.current
            ],
        )
        for person in page
    ]
    sorts = sort_columns(
        request,
        # No birth date: it is digits 7-14 of the 身份证号码, masked here.
        [("name", _("姓名")), ("unit", _("工作单位"))],
        default="name",
    )
    context = list_context(
        request,
        regions=region_choices(request.user),
        page=page,
        rows=rows,
        errors=errors,
        sorts=sorts,
        on_staff=request.GET.get("on_staff", ""),
        serving=request.GET.get("serving", ""),
        today=clock.today(),
    )
    status = 400 if errors else 200
    return render(request, "teams/directory/person_list.html", context, status=status)
