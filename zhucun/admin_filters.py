"""List filters the admin changelists share: region (prefecture, county), year, in post.

The region filters work at province scale: the choices are the 21 prefectures and
the 183 counties (one query each), and a chosen region narrows the rows with one
indexed prefix match on the related Region's ``path``.
"""

import datetime

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from teams.models import active_on
from villages.models import Region
from zhucun import clock

FIRST_YEAR = 2015  # 精准扶贫 teams were first sent in 2015.


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
        return Region.objects.filter(level=self.level).only("code", "name", "path")

    def label(self, region: Region, request) -> str:
        return region.name

    def queryset(self, request, queryset):
        code = self.value()
        if code is None:
            return queryset
        path = self._paths.get(code)
        if path is None:
            return queryset.none()
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
        counties = Region.objects.filter(level=self.level).select_related("parent")
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


class YearFilter(admin.SimpleListFilter):
    """Rows of one year, from a fixed list of years: no query to build the choices."""

    title = _("年度")
    parameter_name = "year"
    lookup = ""

    def lookups(self, request, model_admin):
        this_year = clock.today().year
        return [(str(y), str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(**{self.lookup: int(value)})


def year_filter(lookup: str) -> type[YearFilter]:
    """A year filter on ``lookup``: ``year`` for a year column, ``month__year`` for a date."""
    return type(f"YearFilter_{lookup}", (YearFilter,), {"lookup": lookup})


class InPostFilter(admin.SimpleListFilter):
    """In post today (start ≤ today ≤ end, or no end) or not."""

    title = _("在任情况")
    parameter_name = "in_post"
    prefix = ""

    def lookups(self, request, model_admin):
        return [("yes", _("在任")), ("no", _("不在任"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        today: datetime.date = clock.today()
        active = active_on(today, self.prefix)
        if value == "yes":
            return queryset.filter(active)
        if value == "no":
            return queryset.exclude(active)
        return queryset.none()


class AuditModelFilter(admin.SimpleListFilter):
    """The kind of object an audit entry is about, from the app registry (no query)."""

    title = _("对象类型")
    parameter_name = "model"
    apps = ("villages", "teams", "attendance", "assessments", "funding", "zhucun")

    def lookups(self, request, model_admin):
        from django.apps import apps as registry

        return [
            (model._meta.label_lower, model._meta.verbose_name)
            for app_label in self.apps
            for model in registry.get_app_config(app_label).get_models()
        ]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value is None else queryset.filter(model=value)


class AuditSourceFilter(admin.SimpleListFilter):
    """The path a write came by; a fixed list, so the big table is never scanned for it."""

    title = _("途径")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [
            ("page", _("页面")),
            ("admin", _("数据管理")),
            ("api", _("接口")),
            ("command", _("命令")),
            ("system", _("系统")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value is None else queryset.filter(source=value)


class QuarterFilter(admin.SimpleListFilter):
    title = _("季度")
    parameter_name = "quarter"

    def lookups(self, request, model_admin):
        return [(str(q), _("第%(q)d季度") % {"q": q}) for q in range(1, 5)]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return (
            queryset.filter(quarter=int(value)) if value.isdigit() else queryset.none()
        )
