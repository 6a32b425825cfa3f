"""Admin for working funds (每队每年不低于2万元) and their spending."""

from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from funding.models import Fund, Spending
from funding.services import fund_create, fund_update, spending_create, spending_delete
from villages.admin_filters import region_filters
from zhucun.admin import ServiceRefused, ZhucunAdmin, ZhucunInline
from zhucun.admin_filters import year_filter
from zhucun.workbooks.admin import WorkbookAdminMixin


def _create_spending(obj: Spending) -> Spending:
    """Add a spending through spending_create, which keeps it within the fund.

    No service changes a spending (a wrong one is deleted by spending_delete and
    entered again), so the admin changes none.
    """
    return spending_create(
        fund=obj.fund, spent_on=obj.spent_on, amount=obj.amount, purpose=obj.purpose
    )


class SpendingInline(ZhucunInline):
    model = Spending
    fields = ("spent_on", "amount", "purpose")
    scoped_writes = True  # FundAdmin: spending_create / spending_delete

    def has_change_permission(self, request, obj=None):
        return False


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
    scoped_writes = True  # fund_create / fund_update, spendings by _create_spending

    def get_readonly_fields(self, request, obj=None):
        # fund_update corrects the amount, source and date, never the team or year.
        return ("team", "year") if obj is not None else ()

    def create(self, request, obj, form):
        data = form.cleaned_data
        return fund_create(
            team=data["team"],
            year=data["year"],
            amount=data["amount"],
            source=data["source"],
            received_on=data.get("received_on"),
        )

    def update(self, request, obj, form):
        data = form.cleaned_data
        return fund_update(
            fund=Fund.objects.get(pk=obj.pk),
            amount=data["amount"],
            source=data["source"],
            received_on=data.get("received_on"),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Spending:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        try:
            for obj in formset.deleted_objects:
                spending_delete(spending=obj)
            for obj in formset.new_objects:
                obj.fund = form.instance
                _create_spending(obj)
        except ValidationError as exc:
            raise ServiceRefused(ValidationError(exc.messages)) from exc

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
    scoped_writes = True  # spending_create / spending_delete

    def has_change_permission(self, request, obj=None):
        # No service changes a spending: a wrong one is deleted and entered again.
        return False

    def create(self, request, obj, form):
        return _create_spending(obj)

    def delete_model(self, request, obj):
        spending_delete(spending=obj)

    @admin.display(description=_("驻村工作队"))
    def fund_team(self, obj):
        return str(obj.fund.team)

    @admin.display(description=_("年度"), ordering="fund__year")
    def fund_year(self, obj):
        return obj.fund.year
