"""Admin for grades, training and target letters."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from assessments.services import assessment_grade
from villages.admin_filters import region_filters
from zhucun.admin import ZhucunAdmin, ZhucunInline
from zhucun.admin_filters import year_filter
from zhucun.workbooks.admin import WorkbookAdminMixin


@admin.register(Assessment)
class AssessmentAdmin(WorkbookAdminMixin, ZhucunAdmin):
    workbook_kind = "assessments"
    list_display = (
        "person",
        "team_name",
        "year",
        "kind",
        "grade",
        "villager_score",
        "cadre_score",
    )
    list_select_related = ("person", "membership__team__village")
    list_filter = (
        *region_filters("membership__team__village__county__path"),
        year_filter("year"),
        "kind",
        "grade",
    )
    search_fields = ("=person__name",)
    autocomplete_fields = ("person", "membership")
    audit_county = "membership.team.village.county.code"
    fields = (
        "membership",
        "year",
        "kind",
        "grade",
        "villager_score",
        "cadre_score",
    )

    def get_readonly_fields(self, request, obj=None):
        # assessment_grade keeps one grade per person, year and kind: a stored
        # grade changes its grade and scores, never whose or which year's it is.
        return ("membership", "year", "kind") if obj is not None else ()

    def create(self, request, obj, form):
        """Grade through assessment_grade, which holds the 20% cap and the years."""
        return self._grade(obj.membership, obj.year, obj.kind, form)

    def update(self, request, obj, form):
        return self._grade(obj.membership, obj.year, obj.kind, form)

    @staticmethod
    def _grade(membership, year, kind, form):
        data = form.cleaned_data
        return assessment_grade(
            membership=membership,
            year=year,
            kind=kind,
            grade=data["grade"],
            villager_score=data.get("villager_score"),
            cadre_score=data.get("cadre_score"),
        )

    @admin.display(description=_("驻村工作队"))
    def team_name(self, obj):
        return str(obj.membership.team)


@admin.register(TrainingEvent)
class TrainingEventAdmin(ZhucunAdmin):
    list_display = ("name", "level", "start_date", "days", "trainee_total")
    list_filter = ("level", year_filter("start_date__year"))
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(trainee_count=Count("records"))

    @admin.display(description=_("参训人数"), ordering="trainee_count")
    def trainee_total(self, obj):
        return obj.trainee_count


@admin.register(TrainingRecord)
class TrainingRecordAdmin(WorkbookAdminMixin, ZhucunAdmin):
    workbook_kind = "training"
    list_display = ("person", "event", "event_start", "days")
    list_select_related = ("person", "event")
    list_filter = (
        *region_filters("person__unit__region__path"),
        year_filter("event__start_date__year"),
        "event__level",
    )
    search_fields = ("=person__name", "event__name")
    autocomplete_fields = ("event", "person")

    @admin.display(description=_("开始日期"), ordering="event__start_date")
    def event_start(self, obj):
        return obj.event.start_date


class TargetItemInline(ZhucunInline):
    model = TargetItem
    fields = ("content", "responsible", "status", "evidence")
    autocomplete_fields = ("responsible",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("responsible__person")


@admin.register(TargetLetter)
class TargetLetterAdmin(ZhucunAdmin):
    list_display = ("team", "year", "signed_on", "item_total")
    list_select_related = ("team__village",)
    list_filter = (*region_filters("team__village__county__path"), year_filter("year"))
    search_fields = ("=team__village__name", "team__name")
    autocomplete_fields = ("team",)
    inlines = (TargetItemInline,)
    audit_county = "team.village.county.code"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description=_("目标任务数"), ordering="item_count")
    def item_total(self, obj):
        return obj.item_count


@admin.register(TargetItem)
class TargetItemAdmin(ZhucunAdmin):
    list_display = ("content", "letter_team", "letter_year", "responsible", "status")
    list_select_related = ("letter__team__village", "responsible__person")
    list_filter = (
        *region_filters("letter__team__village__county__path"),
        year_filter("letter__year"),
        "status",
    )
    search_fields = ("content", "=letter__team__village__name")
    autocomplete_fields = ("letter", "responsible")
    audit_county = "letter.team.village.county.code"

    @admin.display(description=_("驻村工作队"))
    def letter_team(self, obj):
        return str(obj.letter.team)

    @admin.display(description=_("年度"), ordering="letter__year")
    def letter_year(self, obj):
        return obj.letter.year
