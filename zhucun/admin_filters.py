"""List filters the admin changelists share: year, quarter, in post, the audit trail's.

The region filters (prefecture, county) are ``villages.admin_filters``.
"""

import datetime

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhucun import clock
from zhucun.queries import active_on

FIRST_YEAR = 2015  # 精准扶贫 teams were first sent in 2015.


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
