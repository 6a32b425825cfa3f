"""The directory pages: units and people, and what the village list shares with them.

Each list reads its rows from the app's ``*_directory`` selector (the API's filter
set, plus a search, flags and a whitelisted sort), pages 50 rows at a time, and
exports the filtered rows with ``?format=xlsx`` in the layout they are imported in
(``zhucun.workbooks.exporter``). A person's page is the record
``assessments:person-record``; there is no second one here.
"""

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.selectors import counties_for
from assessments.views import XLSX, paginate, wants_xlsx
from teams import selectors
from teams.id_numbers import mask_id_number
from teams.models import Membership, Person, Unit
from villages.models import Region
from zhucun import clock
from zhucun.access import user_scope
from zhucun.models import UserScope
from zhucun.workbooks.exporter import export_workbook
from zhucun.workbooks.kinds import TITLES

NOT_FOUND = gettext_lazy("记录不存在或不在您的管辖范围内。")
FLAG_CHOICES = [
    ("", gettext_lazy("全部")),
    ("true", gettext_lazy("是")),
    ("false", gettext_lazy("否")),
]

# --- what the three lists share ------------------------------------------------------


@dataclass(frozen=True)
class RegionChoice:
    code: str
    label: str


def region_choices(user) -> list[RegionChoice]:
    """The regions the list's region select offers, indented by level.

    The province and a prefecture go down to counties, a county to its townships;
    a unit or committee gets the counties where its members serve.
    """
    levels = Region.Level
    scope = user_scope(user)
    if (getattr(user, "is_superuser", False) and user.is_active) or (
        scope is not None and scope.role == UserScope.Role.PROVINCE
    ):
        regions = Region.objects.filter(
            level__in=(levels.PROVINCE, levels.PREFECTURE, levels.COUNTY)
        )
    elif scope is not None and scope.region_id is not None:
        base = scope.region
        wanted = (
            (levels.COUNTY, levels.TOWNSHIP)
            if base.level in (levels.COUNTY, levels.TOWNSHIP)
            else (levels.PREFECTURE, levels.COUNTY)
        )
        regions = Region.objects.filter(path__startswith=base.path, level__in=wanted)
    else:
        regions = counties_for(user)
    regions = list(regions.order_by("path"))
    top = min((r.path.count("/") for r in regions), default=0)
    return [
        RegionChoice(r.code, "\u3000" * (r.path.count("/") - top) + r.name)
        for r in regions
    ]


@dataclass(frozen=True)
class SortColumn:
    label: str
    key: str
    sort: str  # the ?sort= its header link asks for
    arrow: str


def sort_columns(
    request, columns: Sequence[tuple[str, str]], default: str
) -> dict[str, SortColumn]:
    """Header links: a click sorts by the column, a second click reverses it."""
    current = request.GET.get("sort") or default
    out = {}
    for key, label in columns:
        arrow = "▲" if current == key else "▼" if current == f"-{key}" else ""
        out[key] = SortColumn(
            label=label,
            key=key,
            sort=f"-{key}" if current == key else key,
            arrow=arrow,
        )
    return out


def filtered(read, *, user, filters: Mapping, empty: QuerySet):
    """The selector's rows, or no rows and the messages of a refused filter."""
    try:
        return read(user=user, filters=filters, today=clock.today()), []
    except ValidationError as exc:
        return empty, [m for messages in exc.message_dict.values() for m in messages]


def region_param(request) -> Region | None:
    code = request.GET.get("region", "").strip()
    return Region.objects.filter(code=code).first() if code else None


def export_response(request, *, kind: str, pks) -> HttpResponse:
    """The filtered rows as a workbook of ``kind``, laid out as it is imported."""
    buffer = io.BytesIO()
    export_workbook(
        kind=kind,
        target=buffer,
        user=request.user,
        county=region_param(request),
        pks=pks,
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{TITLES[kind]}-{stamp}.xlsx"
    )
    return response


def team_url(pk: int) -> str:
    """The team's page, or its compliance page until the team page exists."""
    try:
        return reverse("teams:team-detail", args=[pk])
    except NoReverseMatch:
        return reverse("compliance:team", args=[pk])


def list_context(request, *, page, errors, sorts, **extra) -> dict:
    regions = region_choices(request.user)
    region = request.GET.get("region", "")
    return {
        "page": page,
        "errors": errors,
        "sorts": sorts,
        "regions": regions,
        "region": region,
        "region_offered": any(choice.code == region for choice in regions),
        "q": request.GET.get("q", ""),
        "flag_choices": FLAG_CHOICES,
        **extra,
    }


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
            request, kind="units", pks=units.values_list("pk", flat=True)
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
        (m, team_url(m.team_id))
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
            request, kind="roster", pks=memberships.values_list("pk", flat=True)
        )
    page = paginate(request, people)
    rows = [
        (
            person,
            mask_id_number(person.id_number),
            [(m, team_url(m.team_id)) for m in person.current],
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
