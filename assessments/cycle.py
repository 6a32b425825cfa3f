"""What the county's yearly-cycle pages and API share (grading, training, letters, funds).

The cycle's pages (``assessments.views``, ``funding.views``) and API
(``assessments.yearly_api``, ``funding.api``) take a county or a region and a
year from the query string and offer the years the data holds.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from assessments import selectors
from teams.models import Team
from villages.filters import region_in_scope
from villages.models import Region
from zhucun import clock, pages
from zhucun.access import get_scoped_or_404


def year_param(request, default: int | None = None) -> int:
    """The ``?year=`` asked for (default: today's year); 404 for a year not offered."""
    return pages.year_param(
        request,
        years=selectors.year_choices(),
        default=default if default is not None else clock.today().year,
    )


def base_context(request, *, counties, county, year=None, **extra) -> dict:
    return {
        "counties": counties,
        "county": county,
        "year": year,
        "years": selectors.year_choices(),
        "today": clock.today(),
        **extra,
    }


def team_param(request) -> int | None:
    """The ``?team=`` a form is opened for; 404 for a team outside the scope."""
    raw = request.GET.get("team", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(_("记录不存在或不在您的管辖范围内。"))
    team = get_scoped_or_404(request.user, Team.objects.only("pk"), pk=int(raw))
    return team.pk


# --- the API's query parameters -------------------------------------------------------
YEAR_PARAM = OpenApiParameter(
    "year", OpenApiTypes.INT, description=gettext_lazy("年度，默认为系统当前年度。")
)
COUNTY_PARAM = OpenApiParameter(
    "county",
    OpenApiTypes.STR,
    description=gettext_lazy(
        "县（市、区）代码；不在管辖范围内时返回404。省、市级用户可不填，表示全部。"
    ),
)
REGION_PARAM = OpenApiParameter(
    "region",
    OpenApiTypes.STR,
    description=gettext_lazy(
        "行政区划代码（省、市（州）、县（市、区）或乡（镇）），含其所有下级，"
        "如 513400 为凉山州全州；不在管辖范围内或不存在时返回404。"
        "给出 region 时不看 county。"
    ),
)


def api_county(request, *, required: bool = False) -> Region | None:
    code = request.query_params.get("county", "")
    if not code:
        if required:
            raise ValidationError({"county": [_("请提供县（市、区）代码 county。")]})
        return None
    try:
        return selectors.county_get(user=request.user, code=code)
    except Region.DoesNotExist:
        raise Http404 from None


def api_year(request, *, default: int) -> int:
    raw = request.query_params.get("year", "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) not in selectors.year_choices():
        raise ValidationError({"year": [_("年度无效。")]})
    return int(raw)


def api_place(request) -> Region | None:
    """``?region=CODE`` (any level, as every list of the API), else ``?county=CODE``.

    A region code unknown or outside the user's scope is 404, as every list's.
    """
    code = request.query_params.get("region", "")
    if not code:
        return api_county(request)
    return region_in_scope(user=request.user, code=code)


def county_of(place: Region | None) -> Region | None:
    """The county a selector narrows to for ``place`` (None above a county)."""
    if place is None or place.level != Region.Level.COUNTY:
        return None
    return place


def in_place(place: Region | None, village: str = "village__") -> Q:
    """Rows whose village (reached by ``village``) lies in ``place`` (all for None)."""
    if place is None:
        return Q()
    return Q(**{f"{village}township__path__startswith": place.path})


def teams_in_place(rows: QuerySet, place: Region | None) -> QuerySet:
    """``rows`` (teams) narrowed to ``place`` where the selector could not."""
    if place is None or county_of(place) is not None:
        return rows
    return rows.filter(in_place(place))
