"""Admin for working funds (每队每年不低于2万元) and their spending."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from funding.models import Fund, Spending
from zhucun.admin import ZhucunAdmin, ZhucunInline
from zhucun.admin_filters import region_filters, year_filter
from zhucun.workbooks.admin import WorkbookAdminMixin


class SpendingInline(ZhucunInline):
    model = Spending
    fields = ("spent_on", "amount", "purpose")


def _spent_total():
    return Coalesce(
        Subquery(
            Spending.objects.filter(fund=OuterRef("pk"))
            .order_by()
            .values("fund")
            .annotate(total=Sum("amount"))
            .values("total"),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        Decimal("0"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


@admin.register(Fund)
class FundAdmin(WorkbookAdminMixin, ZhucunAdmin):
    workbook_kind = "funding"
    list_display = (
        "team",
        "county_name",
        "year",
        "amount",
        "source",
        "received_on",
        "spent",
    )
    list_select_related = ("team__village__county",)
    list_filter = (
        *region_filters("team__village__county__path"),
        year_filter("year"),
        "source",
    )
    search_fields = ("=team__village__name", "team__name")
    autocomplete_fields = ("team",)
    inlines = (SpendingInline,)
    audit_county = "team.village.county.code"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(spent_total=_spent_total())

    @admin.display(
        description=_("县（市、区）"), ordering="team__village__county__code"
    )
    def county_name(self, obj):
        return obj.team.village.county.name

    @admin.display(description=_("已支出（元）"), ordering="spent_total")
    def spent(self, obj):
        return obj.spent_total


@admin.register(Spending)
class SpendingAdmin(ZhucunAdmin):
    list_display = ("fund_team", "fund_year", "spent_on", "amount", "purpose")
    list_select_related = ("fund__team__village",)
    list_filter = (
        *region_filters("fund__team__village__county__path"),
        year_filter("spent_on__year"),
    )
    search_fields = ("purpose", "=fund__team__village__name")
    autocomplete_fields = ("fund",)
    audit_county = "fund.team.village.county.code"

    @admin.display(description=_("驻村工作队"))
    def fund_team(self, obj):
        return str(obj.fund.team)

    @admin.display(description=_("年度"), ordering="fund__year")
    def fund_year(self, obj):
        return obj.fund.year
