"""Admin for regions, villages and households; writes go through villages.services."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from villages.admin_filters import region_filters
from villages.models import Household, Region, Village
from villages.services import (
    HOUSEHOLD_FIELDS,
    VILLAGE_FIELDS,
    household_create,
    household_update,
    township_create,
    village_create,
    village_update,
)
from zhucun.admin import ServiceForm, ZhucunAdmin, changed_values, region_choices
from zhucun.workbooks.admin import WorkbookAdminMixin


@admin.register(Region)
class RegionAdmin(ZhucunAdmin):
    """Divisions come from the real data; the admin adds townships only."""

    list_display = (
        "code",
        "name",
        "level",
        "parent",
        "deep_poverty",
        "poor_county",
        "ethnic_area",
        "hardship_class",
    )
    list_select_related = ("parent",)
    list_filter = (
        "level",
        *region_filters("path"),
        "deep_poverty",
        "poor_county",
        "ethnic_area",
    )
    search_fields = ("^code", "name")
    autocomplete_fields = ("parent",)
    show_full_result_count = True
    # A prefecture or county must never go in a bulk delete.
    actions = None
    refusal_fields = {"county": "parent"}
    # Townships are added by township_create, under a county of the actor's own.
    scoped_writes = True

    def get_search_results(self, request, queryset, search_term):
        """Autocomplete for a key that places a row offers the actor's regions only.

        The same narrowing as the key's form field (ScopedAdminMixin), so the
        widget never offers a region the form would refuse.
        """
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if request.resolver_match and request.resolver_match.url_name == (
            "autocomplete"
        ):
            source = self._autocomplete_source(request)
            if source is None or request.GET.get("field_name") not in (
                source.open_region_fields
            ):
                queryset = region_choices(request.user, queryset)
        return queryset, may_have_duplicates

    def _autocomplete_source(self, request):
        from django.apps import apps

        try:
            model = apps.get_model(
                request.GET.get("app_label", ""), request.GET.get("model_name", "")
            )
        except (LookupError, ValueError):
            return None
        return self.admin_site._registry.get(model)

    def county_code_of(self, obj) -> str:
        if obj.level == Region.Level.COUNTY:
            return obj.code
        if obj.level == Region.Level.TOWNSHIP:
            return obj.parent.code
        return ""

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("parent", "code", "name")
        return (
            "code",
            "name",
            "level",
            "parent",
            "path",
            "deep_poverty",
            "poor_county",
            "ethnic_area",
            "hardship_class",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("code", "level", "parent", "path")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            field.label = _("所属县（市、区）")
            field.required = True
        return field

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.level != Region.Level.TOWNSHIP:
            return False
        return super().has_delete_permission(request, obj)

    def create(self, request, obj, form):
        data = form.cleaned_data
        return township_create(
            county=data["parent"], code=data["code"].strip(), name=data["name"].strip()
        )


class VillageForm(ServiceForm):
    # village_create/village_update refuse a non-township with their own message.
    service_validated = ("township", "code")


def _household_rows():
    """The number of Household rows of the outer village (evaluated per shown row)."""
    return Coalesce(
        Subquery(
            Household.objects.filter(village=OuterRef("pk"))
            .order_by()
            .values("village")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


@admin.register(Village)
class VillageAdmin(WorkbookAdminMixin, ZhucunAdmin):
    workbook_kind = "villages"
    form = VillageForm
    list_display = (
        "name",
        "code",
        "township",
        "county_name",
        "is_registered_poor",
        "is_extremely_poor",
        "household_count",
        "households_link",
        "planned_exit_year",
        "actual_exit_year",
    )
    list_select_related = ("township", "county__parent")
    list_filter = (
        *region_filters("county__path"),
        "is_registered_poor",
        "is_extremely_poor",
        "drug_aids",
        "over_birth_dropout",
    )
    search_fields = ("name", "^code")
    autocomplete_fields = ("township",)
    fields = (
        "township",
        "county_display",
        "name",
        "code",
        "is_registered_poor",
        "is_extremely_poor",
        "drug_aids",
        "over_birth_dropout",
        "planned_exit_year",
        "actual_exit_year",
        "household_count",
        "county_leader",
    )
    readonly_fields = ("county_display",)
    audit_county = "county.code"
    scoped_writes = True  # village_create / village_update

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(household_rows=_household_rows())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "township":
            # The widget offers townships only (limit_choices_to); a county that
            # still arrives is refused by the service with its own message.
            kwargs["limit_choices_to"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("县（市、区）"), ordering="county__code")
    def county_name(self, obj):
        return f"{obj.county.parent.name}{obj.county.name}"

    @admin.display(description=_("县（市、区）"))
    def county_display(self, obj):
        return obj.county.full_name if obj.county_id else "-"

    @admin.display(description=_("已登记农户"), ordering="household_rows")
    def households_link(self, obj):
        url = reverse("admin:villages_household_changelist")
        return format_html(
            '<a href="{}?village__id__exact={}">{}</a>', url, obj.pk, obj.household_rows
        )

    def create(self, request, obj, form):
        data = form.cleaned_data
        fields = {name: data[name] for name in VILLAGE_FIELDS if name in data}
        fields.pop("name", None)
        return village_create(township=data["township"], name=data["name"], **fields)

    def update(self, request, obj, form):
        village = Village.objects.select_related("county").get(pk=obj.pk)
        township = (
            form.cleaned_data["township"] if "township" in form.changed_data else None
        )
        return village_update(
            village=village,
            township=township,
            **changed_values(form, VILLAGE_FIELDS),
        )


@admin.register(Household)
class HouseholdAdmin(ZhucunAdmin):
    list_display = (
        "head_name",
        "village",
        "county_name",
        "member_count",
        "is_party_member_family",
        "is_hardship_family",
        "has_critical_patient",
        "is_empty_nest_or_left_behind",
    )
    list_select_related = ("village__county",)
    list_filter = (
        *region_filters("village__county__path"),
        "is_party_member_family",
        "is_hardship_family",
        "has_critical_patient",
        "is_empty_nest_or_left_behind",
    )
    search_fields = ("^head_name", "=village__name")
    autocomplete_fields = ("village",)
    extra_lookups = ("village__id__exact",)  # the village list's household link
    audit_county = "village.county.code"
    scoped_writes = True  # household_create / household_update

    def create(self, request, obj, form):
        data = form.cleaned_data
        fields = {name: data[name] for name in HOUSEHOLD_FIELDS if name in data}
        return household_create(
            village=data["village"], head_name=fields.pop("head_name"), **fields
        )

    def update(self, request, obj, form):
        if "village" in form.changed_data:
            # household_update keeps a household in its village.
            raise ValidationError({"village": gettext("农户不能改到其他村。")})
        household = Household.objects.select_related("village__county").get(pk=obj.pk)
        return household_update(
            household=household, **changed_values(form, HOUSEHOLD_FIELDS)
        )

    @admin.display(description=_("县（市、区）"), ordering="village__county__code")
    def county_name(self, obj):
        return obj.village.county.name
