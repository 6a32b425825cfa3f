"""Admin for attendance, household visits, quarterly reports and leader meetings.

MonthlyAttendance reaches 1.2 million rows: its changelist counts once, joins
its few foreign keys in the same query, offers no date hierarchy and filters by
region and year from fixed choice lists.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from attendance.models import (
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    TeamReport,
)
from villages.admin_filters import region_filters
from zhucun.admin import ZhucunAdmin
from zhucun.admin_filters import QuarterFilter, year_filter
from zhucun.workbooks.admin import WorkbookAdminMixin


class ReadOnlyForEveryone:
    """Shown, never written here: the pages' services hold the rules.

    Attendance is entered on the township's monthly grid
    (attendance_grid_save), which refuses a locked (submitted) month; a month
    is locked by attendance_submit and opened again by attendance_reopen.
    """

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthlyAttendance)
class MonthlyAttendanceAdmin(ReadOnlyForEveryone, WorkbookAdminMixin, ZhucunAdmin):
    workbook_kind = "attendance"
    list_display = (
        "person_name",
        "village_name",
        "county_name",
        "month_display",
        "in_post_days",
        "leave_days",
        "trip_days",
        "remark",
    )
    list_select_related = (
        "membership__person",
        "membership__team__village__county",
    )
    list_filter = (
        *region_filters("membership__team__village__county__path"),
        year_filter("month__year"),
    )
    search_fields = ("=membership__person__name",)
    autocomplete_fields = ("membership",)
    audit_county = "membership.team.village.county.code"

    @admin.display(description=_("姓名"), ordering="membership__person__name")
    def person_name(self, obj):
        return obj.membership.person.name

    @admin.display(description=_("村"))
    def village_name(self, obj):
        return obj.membership.team.village.name

    @admin.display(description=_("县（市、区）"))
    def county_name(self, obj):
        return obj.membership.team.village.county.name

    @admin.display(description=_("年月"), ordering="month")
    def month_display(self, obj):
        return f"{obj.month.year}年{obj.month.month}月"


@admin.register(AttendanceSubmission)
class AttendanceSubmissionAdmin(ReadOnlyForEveryone, ZhucunAdmin):
    list_display = (
        "township",
        "month",
        "submitted_at",
        "submitted_by",
        "reopened_reason",
    )
    list_select_related = ("township", "submitted_by")
    list_filter = (*region_filters("township__path"), year_filter("month__year"))
    search_fields = ("township__name",)
    autocomplete_fields = ("township",)
    raw_id_fields = ("submitted_by",)
    audit_county = "township.parent.code"


@admin.register(HouseholdVisit)
class HouseholdVisitAdmin(ZhucunAdmin):
    list_display = ("household", "team", "visitor", "visited_on", "notes")
    list_select_related = ("household", "team__village", "membership__person")
    list_filter = (
        *region_filters("team__village__county__path"),
        year_filter("visited_on__year"),
    )
    search_fields = ("=household__head_name", "=team__village__name")
    autocomplete_fields = ("team", "household", "membership")
    audit_county = "team.village.county.code"

    @admin.display(description=_("走访队员"))
    def visitor(self, obj):
        return obj.membership.person.name if obj.membership_id else "-"


@admin.register(TeamReport)
class TeamReportAdmin(ZhucunAdmin):
    list_display = ("team", "year", "quarter", "submitted_on")
    list_select_related = ("team__village",)
    list_filter = (
        *region_filters("team__village__county__path"),
        year_filter("year"),
        QuarterFilter,
    )
    search_fields = ("=team__village__name", "team__name")
    autocomplete_fields = ("team",)
    audit_county = "team.village.county.code"


@admin.register(LeaderMeeting)
class LeaderMeetingAdmin(ZhucunAdmin):
    list_display = ("county", "held_on", "attendee_total")
    list_select_related = ("county",)
    list_filter = (*region_filters("county__path"), year_filter("held_on__year"))
    search_fields = ("county__name",)
    autocomplete_fields = ("county", "attendees")
    audit_county = "county.code"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attendee_count=Count("attendees"))

    @admin.display(description=_("参会人数"), ordering="attendee_count")
    def attendee_total(self, obj):
        return obj.attendee_count
