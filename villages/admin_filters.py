"""The admin changelists' region filters: prefecture and county.

They work at province scale: the choices are the prefectures and counties the
user may name (one query each; a code outside them is 404), and a chosen region narrows the rows with one indexed
prefix match on the related Region's ``path``.
"""

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from villages.filters import visible_regions
from villages.models import Region
from zhucun.pages import NOT_FOUND


class RegionFilter(admin.SimpleListFilter):
    """Rows under one region, matched by ``path_field`` or ``code_field``.

    ``path_field`` is a lookup to a Region ``path`` (``county__path``);
    ``code_field`` is a plain column holding a county code (AuditEntry's
    ``county_code``). Subclasses made by :func:`region_filters` set one of them.
    """

    level: str = ""
    path_field: str = ""
    code_field: str = ""

    def lookups(self, request, model_admin):
        regions = list(self.regions(request))
        self._paths = {region.code: region.path for region in regions}
        return [(region.code, self.label(region, request)) for region in regions]

    def regions(self, request) -> QuerySet:
        return (
            visible_regions(request.user)
            .filter(level=self.level)
            .only("code", "name", "path")
        )

    def label(self, region: Region, request) -> str:
        return region.name

    def queryset(self, request, queryset):
        code = self.value()
        if code is None:
            return queryset
        path = self._paths.get(code)
        if path is None:
            # Unknown or outside the user's scope: 404, as on every other page.
            raise Http404(NOT_FOUND)
        return queryset.filter(self.under(path))

    def under(self, path: str) -> Q:
        if self.path_field:
            return Q(**{f"{self.path_field}__startswith": path})
        codes = Region.objects.filter(path__startswith=path).values("code")
        return Q(**{f"{self.code_field}__in": codes})


class PrefectureFilter(RegionFilter):
    title = _("市（州）")
    parameter_name = "prefecture"
    level = Region.Level.PREFECTURE

    def choices(self, changelist):
        # A county chosen under another prefecture would match nothing, so every
        # link of this filter drops the county. Facets are off on these admins.
        county = CountyFilter.parameter_name
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(
                remove=[self.parameter_name, county]
            ),
            "display": _("全部"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}, [county]
                ),
                "display": title,
            }


class CountyFilter(RegionFilter):
    title = _("县（市、区）")
    parameter_name = "county"
    level = Region.Level.COUNTY

    def regions(self, request) -> QuerySet:
        counties = (
            visible_regions(request.user)
            .filter(level=self.level)
            .select_related("parent")
        )
        prefecture = request.GET.get(PrefectureFilter.parameter_name)
        if prefecture:
            counties = counties.filter(parent__code=prefecture)
        return counties.only("code", "name", "path", "parent__name")

    def label(self, region: Region, request) -> str:
        if request.GET.get(PrefectureFilter.parameter_name):
            return region.name
        # Two counties are called 市中区: the prefecture tells them apart.
        return f"{region.name}（{region.parent.name}）"


def region_filters(
    path_field: str = "", *, code_field: str = ""
) -> tuple[type[RegionFilter], type[RegionFilter]]:
    """The prefecture and county filters for rows reached by one region lookup."""
    if bool(path_field) == bool(code_field):
        raise ValueError("give exactly one of path_field and code_field")
    attrs = {"path_field": path_field, "code_field": code_field}
    suffix = (path_field or code_field).replace("__", "_")
    return (
        type(f"PrefectureFilter_{suffix}", (PrefectureFilter,), attrs),
        type(f"CountyFilter_{suffix}", (CountyFilter,), attrs),
    )
