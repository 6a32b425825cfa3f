"""Admin for units, people, terms, teams and memberships; writes go through teams.services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Pairing, Person, Team, Term, Unit, WorkCommittee
from teams.services import (
    PERSON_FIELDS,
    UNIT_FIELDS,
    membership_create,
    membership_end,
    pairing_create,
    pairing_update,
    person_create,
    person_reveal_personal_data,
    person_update,
    team_create,
    unit_create,
    unit_update,
)
from teams.write_rules import membership_refusals, proposal_of
from villages.admin_filters import region_filters
from villages.models import Region
from zhucun import clock
from zhucun.access import get_scoped_or_404
from zhucun.admin import (
    ServiceForm,
    ZhucunAdmin,
    ZhucunInline,
    changed_values,
    region_choices,
)
from zhucun.admin_filters import InPostFilter
from zhucun.audit import snapshot
from zhucun.id_numbers import mask_id_number, mask_phone, validate_phone
from zhucun.queries import active_on
from zhucun.roles import can_view_full_personal_data
from zhucun.workbooks.admin import WorkbookAdminMixin
from zhucun.write_rules import raise_refusals

# UNIT_FIELDS names relations by their columns; the form names them by the relation.
UNIT_FORM_FIELDS = tuple(f.removesuffix("_id") for f in UNIT_FIELDS)

# PERSON_FIELDS names the unit by its column; the form names it by the relation.
PERSON_FORM_FIELDS = tuple("unit" if f == "unit_id" else f for f in PERSON_FIELDS)

# Membership fields beyond the ones membership_create names: the appointment steps.
MEMBERSHIP_STEPS = (
    "proposed_on",
    "reviewed_on",
    "appointed_on",
    "filed_on",
    "party_relation_transferred_on",
    "insured_until",
    "unfit_marked_on",
    "replacement_deadline",
    "replaced_by",
)


def _active_count(model, outer: str):
    """How many ``model`` rows, active today, point at the outer row by ``outer``."""
    return Coalesce(
        Subquery(
            model.objects.filter(active_on(clock.today()), **{outer: OuterRef("pk")})
            .order_by()
            .values(outer)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


@admin.register(WorkCommittee)
class WorkCommitteeAdmin(ZhucunAdmin):
    list_display = ("name", "level", "region")
    list_select_related = ("region",)
    list_filter = ("level", *region_filters("region__path"))
    search_fields = ("name",)
    autocomplete_fields = ("region",)
    show_full_result_count = True


@admin.register(Unit)
class UnitAdmin(WorkbookAdminMixin, ZhucunAdmin):
    workbook_kind = "units"
    list_display = (
        "name",
        "level",
        "unit_type",
        "region",
        "staff_count",
        "in_post",
        "work_committee",
        "principal_head",
    )
    list_select_related = ("region", "work_committee")
    list_filter = ("level", "unit_type", *region_filters("region__path"))
    search_fields = ("name",)
    autocomplete_fields = (
        "region",
        "work_committee",
        "fixed_point_county",
        "deep_poverty_link_county",
    )
    # The counties a unit is linked to describe it; its region places it.
    open_region_fields = ("fixed_point_county", "deep_poverty_link_county")
    scoped_writes = True  # unit_create / unit_update

    def row_writable(self, request, obj) -> bool:
        # The directory is shared (everyone reads it); a unit is changed only by
        # the regions it belongs to.
        return region_choices(
            request.user, Region.objects.filter(pk=obj.region_id)
        ).exists()

    def create(self, request, obj, form):
        data = form.cleaned_data
        fields = {name: data[name] for name in UNIT_FORM_FIELDS if name in data}
        return unit_create(**fields)

    def update(self, request, obj, form):
        unit = Unit.objects.get(pk=obj.pk)
        return unit_update(unit=unit, **changed_values(form, UNIT_FORM_FIELDS))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(in_post_count=_active_count(Membership, "unit"))
        )

    @admin.display(description=_("在派人数"), ordering="in_post_count")
    def in_post(self, obj):
        return obj.in_post_count


@admin.register(Pairing)
class PairingAdmin(ZhucunAdmin):
    list_display = ("assisting_county", "assisted_county")
    list_select_related = ("assisting_county", "assisted_county")
    list_filter = region_filters("assisted_county__path")
    search_fields = ("assisting_county__name", "assisted_county__name")
    autocomplete_fields = ("assisting_county", "assisted_county")
    show_full_result_count = True
    # A pairing joins two counties: either may be the actor's, which the
    # write checks afterwards (ZhucunAdmin.require_in_scope).
    open_region_fields = ("assisting_county", "assisted_county")
    scoped_writes = True  # pairing_create / pairing_update

    def create(self, request, obj, form):
        data = form.cleaned_data
        return pairing_create(
            assisting_county=data["assisting_county"],
            assisted_county=data["assisted_county"],
        )

    def update(self, request, obj, form):
        return pairing_update(
            pairing=Pairing.objects.get(pk=obj.pk),
            **changed_values(form, ("assisting_county", "assisted_county")),
        )


class PersonForm(ServiceForm):
    # person_create checks the 身份证号码 (shape, birth date, check digit, duplicates).
    service_validated = ("id_number",)
    # An existing person's phone is never sent to the browser in full: the clerk
    # types a new number here, or leaves it blank to keep the current one.
    new_phone = forms.CharField(
        label=_("新联系电话"),
        max_length=20,
        required=False,
        validators=[validate_phone],
        help_text=_("留空表示不修改；当前号码脱敏显示在上方。"),
    )


@admin.register(Person)
class PersonAdmin(ZhucunAdmin):
    """Cadres. Birth date and gender come from the 身份证号码, which is shown masked."""

    form = PersonForm
    list_display = (
        "name",
        "id_number_masked",
        "gender",
        "birth_date_masked",
        "political_status",
        "unit",
        "rank",
        "on_staff",
        "phone_masked",
        "serving_in",
    )
    list_select_related = ("unit",)
    list_filter = (
        *region_filters("unit__region__path"),
        "political_status",
        "rank",
        "on_staff",
        "gender",
        "is_midlevel_without_grassroots",
        "is_progressive_trainee",
        "is_reserve_cadre",
        "is_selected_graduate",
    )
    search_fields = ("^name",)
    autocomplete_fields = ("unit",)
    scoped_writes = True  # person_create / person_update

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("id_number", "gender", "birth_date_masked", *PERSON_FORM_FIELDS)
        rest = []
        for name in PERSON_FORM_FIELDS:
            rest.extend(("phone_masked", "new_phone") if name == "phone" else (name,))
        return ("id_number_masked", "gender", "birth_date_masked", *rest)

    def get_readonly_fields(self, request, obj=None):
        # Full numbers are shown only through the audited reveal
        # (teams.services.person_reveal_personal_data), never in this form.
        return ("gender", "birth_date_masked", "id_number_masked", "phone_masked")

    change_form_template = "admin/teams/person/change_form.html"

    def get_urls(self):
        reveal = path(
            "<path:object_id>/reveal/",
            self.admin_site.admin_view(self.reveal_view),
            name="teams_person_reveal",
        )
        return [reveal, *super().get_urls()]

    def reveal_view(self, request, object_id):
        """POST only: show the full ID and phone once, recorded in the audit trail."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        person = get_scoped_or_404(request.user, Person.objects.all(), pk=object_id)
        revealed = person_reveal_personal_data(
            user=request.user, person=person, reason=request.POST.get("reason", "")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "person": person,
            "revealed": revealed,
            "title": _("完整个人信息"),
        }
        return TemplateResponse(request, "admin/teams/person/reveal.html", context)

    def render_change_form(self, request, context, *args, **kwargs):
        context["may_reveal"] = can_view_full_personal_data(request.user)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_queryset(self, request):
        village = Membership.objects.filter(
            active_on(clock.today()), person=OuterRef("pk")
        ).values("team__village__name")[:1]
        return super().get_queryset(request).annotate(serving_village=Subquery(village))

    @admin.display(description=_("身份证号码"))
    def id_number_masked(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("出生日期"))
    def birth_date_masked(self, obj):
        # The birth date is the ID number's middle digits: hidden with them, and
        # shown only by the audited reveal.
        return "****-**-**" if obj.birth_date else ""

    @admin.display(description=_("联系电话"))
    def phone_masked(self, obj):
        return mask_phone(obj.phone) if obj.phone else ""

    @admin.display(description=_("现驻村"))
    def serving_in(self, obj):
        return obj.serving_village or ""

    def create(self, request, obj, form):
        data = form.cleaned_data
        fields = {name: data[name] for name in PERSON_FORM_FIELDS if name in data}
        name = fields.pop("name")
        return person_create(id_number=data["id_number"], name=name, **fields)

    def update(self, request, obj, form):
        person = Person.objects.get(pk=obj.pk)
        changes = changed_values(form, PERSON_FORM_FIELDS)
        changes.pop("phone", None)
        if form.cleaned_data.get("new_phone"):
            changes["phone"] = form.cleaned_data["new_phone"].strip()
        return person_update(person=person, **changes)


@admin.register(Term)
class TermAdmin(ZhucunAdmin):
    list_display = ("name", "start_date", "end_date", "in_post_deadline", "team_total")
    search_fields = ("name",)
    show_full_result_count = True

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(team_count=Count("teams"))

    @admin.display(description=_("工作队数"), ordering="team_count")
    def team_total(self, obj):
        return obj.team_count


class MembershipForm(ServiceForm):
    """Overlaps and the one-first-secretary rule are the service's to refuse."""

    service_validated = ("person", "team", "role")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", gettext("驻村结束时间不能早于驻村起始时间。"))
        if data.get("replacement_deadline") and not data.get("unfit_marked_on"):
            self.add_error(
                "replacement_deadline",
                gettext("填写召回调整期限前，须先填写认定不适应日期。"),
            )
        return data


_MEMBERSHIP_CONFLICT = _(
    "修改后与其他驻村任职冲突：同一干部同一时间只能在一个工作队，"
    "一个工作队同一时间只能有一名第一书记。"
)


def _create_membership(obj: Membership) -> Membership:
    return membership_create(
        person=obj.person,
        team=obj.team,
        role=obj.role,
        unit=obj.unit,
        start_date=obj.start_date,
        end_date=obj.end_date,
        is_leader=obj.is_leader,
        sector=obj.sector,
        **{step: getattr(obj, step) for step in MEMBERSHIP_STEPS},
    )


class MembershipWrites:
    """The membership writes shared by the membership admin and the team's inline."""

    def _update_membership(self, obj: Membership, changed: set[str]) -> Membership:
        try:
            with transaction.atomic():
                if changed == {"end_date"} and obj.end_date is not None:
                    stored = Membership.objects.select_related(
                        "team__village__county"
                    ).get(pk=obj.pk)
                    return membership_end(membership=stored, end_date=obj.end_date)
                before = snapshot(Membership.objects.get(pk=obj.pk))
                # The rules of membership_create, judged on the changed row.
                raise_refusals(membership_refusals([proposal_of(obj)]))
                return self.audited_save(
                    obj,
                    before=before,
                    county_code=obj.team.village.county.code,
                    conflict=_MEMBERSHIP_CONFLICT,
                )
        except IntegrityError:
            raise ValidationError(_MEMBERSHIP_CONFLICT) from None

    def create_inline(self, request, obj, county_code):
        if isinstance(obj, Membership):
            return _create_membership(obj)
        return super().create_inline(request, obj, county_code)

    def update_inline(self, request, obj, changed_data, county_code):
        if isinstance(obj, Membership):
            changed = {Membership._meta.get_field(n).attname for n in changed_data}
            return self._update_membership(obj, changed)
        return super().update_inline(request, obj, changed_data, county_code)


class MembershipInline(ZhucunInline):
    model = Membership
    form = MembershipForm
    fk_name = "team"
    fields = ("person", "role", "is_leader", "unit", "sector", "start_date", "end_date")
    autocomplete_fields = ("person", "unit")
    show_change_link = True
    # Deleting a membership deletes its attendance too: that is done from the
    # membership's own page, which lists what goes with it. Here one ends it.
    can_delete = False
    scoped_writes = True  # membership_create / membership_end (MembershipWrites)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "unit")


def _first_secretary_name():
    return Subquery(
        Membership.objects.filter(
            active_on(clock.today()),
            team=OuterRef("pk"),
            role=Membership.Role.FIRST_SECRETARY,
        ).values("person__name")[:1]
    )


@admin.register(Team)
class TeamAdmin(MembershipWrites, ZhucunAdmin):
    """A village's team with its members inline."""

    list_display = (
        "team_name",
        "village",
        "county_name",
        "term",
        "start_date",
        "end_date",
        "members_in_post",
        "first_secretary",
    )
    list_select_related = ("village__county__parent", "term")
    list_filter = (
        *region_filters("village__county__path"),
        InPostFilter,
        "term",
    )
    search_fields = ("name", "village__name")
    autocomplete_fields = ("village",)
    inlines = (MembershipInline,)
    audit_county = "village.county.code"
    scoped_writes = True  # team_create; its members through MembershipWrites

    def get_readonly_fields(self, request, obj=None):
        # No service moves a team to another village or term: a new team is made.
        if obj is not None and not request.user.is_superuser:
            return ("village", "term")
        return ()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # Here rather than only in list_select_related, so that autocomplete
            # answers (str(team) names the village) are joined too; a select_related
            # set here makes the changelist skip list_select_related.
            .select_related(*self.list_select_related)
            .annotate(
                members_in_post_count=_active_count(Membership, "team"),
                first_secretary_name=_first_secretary_name(),
            )
        )

    @admin.display(description=_("工作队"), ordering="name")
    def team_name(self, obj):
        return str(obj)

    @admin.display(description=_("县（市、区）"), ordering="village__county__code")
    def county_name(self, obj):
        county = obj.village.county
        return f"{county.parent.name}{county.name}"

    @admin.display(description=_("在任队员"), ordering="members_in_post_count")
    def members_in_post(self, obj):
        return obj.members_in_post_count

    @admin.display(description=_("第一书记"))
    def first_secretary(self, obj):
        return obj.first_secretary_name or "-"

    def create(self, request, obj, form):
        data = form.cleaned_data
        return team_create(
            village=data["village"],
            term=data["term"],
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            name=data.get("name") or "",
        )


@admin.register(Membership)
class MembershipAdmin(WorkbookAdminMixin, MembershipWrites, ZhucunAdmin):
    workbook_kind = "roster"
    form = MembershipForm
    list_display = (
        "person",
        "role",
        "is_leader",
        "team",
        "county_name",
        "unit",
        "start_date",
        "end_date",
        "appointed",
    )
    list_select_related = ("person", "team__village__county__parent", "unit")
    list_filter = (
        *region_filters("team__village__county__path"),
        InPostFilter,
        "role",
        "is_leader",
        "sector",
        "team__term",
    )
    search_fields = ("^person__name", "=team__village__name")
    autocomplete_fields = ("person", "team", "unit", "replaced_by")
    audit_county = "team.village.county.code"
    scoped_writes = True  # membership_create / membership_end (MembershipWrites)

    def get_readonly_fields(self, request, obj=None):
        # The appointment steps have an order and an owner (proposal by the unit,
        # review, filing by the committee): scoped roles record them on the
        # pages, through membership_record_step and its neighbours.
        if request.user.is_superuser:
            return ()
        return MEMBERSHIP_STEPS

    def get_queryset(self, request):
        # str(membership) names the person: autocomplete answers need it joined.
        # (A select_related set here makes the changelist skip its own.)
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(
        description=_("县（市、区）"), ordering="team__village__county__code"
    )
    def county_name(self, obj):
        county = obj.team.village.county
        return f"{county.parent.name}{county.name}"

    @admin.display(description=_("选派程序完成"), boolean=True)
    def appointed(self, obj):
        return obj.is_appointed

    def create(self, request, obj, form):
        return _create_membership(obj)

    def update(self, request, obj, form):
        changed = {
            Membership._meta.get_field(name).attname for name in form.changed_data
        }
        return self._update_membership(obj, changed)
