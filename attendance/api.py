"""API of part 四 under /api/v1/: lists from the selectors, writes through the services.

A place or row outside the user's scope answers 404; a write the role may not
make answers 403; a write a service refuses answers 400 in the API's error shape
(``zhucun.api_errors``), its messages by field under ``fields`` (for the grid,
by cell: ``"<membership id>.<field>"``).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from attendance import selectors
from attendance.models import (
    AttendanceRollup,
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    Reminder,
    TeamReport,
)
from attendance.serializers import (
    AttendanceSerializer,
    CompletenessRowSerializer,
    GridSaveResultSerializer,
    GridSaveSerializer,
    MeetingCreateSerializer,
    MeetingSerializer,
    MonthOfTownshipSerializer,
    ReadCountSerializer,
    ReminderSerializer,
    ReopenSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    RollupSerializer,
    SubmissionSerializer,
    VisitCreateSerializer,
    VisitSerializer,
)
from attendance.services import (
    GridEntry,
    attendance_grid_save,
    attendance_reopen,
    attendance_submit,
    household_visit_create,
    leader_meeting_create,
    reminders_mark_read,
    team_report_submit,
)
from teams.models import Membership, Team
from villages.models import Household
from zhucun import clock
from zhucun.access import scoped
from zhucun.api_filters import SelectorViewSet
from zhucun.api_views import FORBIDDEN, NOT_FOUND, REFUSED
from zhucun.periods import Quarter, month_of, parse_month, previous_month
from zhucun.roles import require_perm


def _found(getter, **kwargs):
    try:
        return getter(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


def _in_scope(user, model, pk: int, field: str):
    """The row ``pk`` of ``model`` if the user may see it, else a field error."""
    row = scoped(user, model.objects.filter(pk=pk)).first()
    if row is None:
        raise ValidationError(
            {
                field: [
                    _("所选%(what)s不存在或不在您的管辖范围内。")
                    % {"what": model._meta.verbose_name}
                ]
            }
        )
    return row


@extend_schema_view(
    list=extend_schema(
        summary=_("月度考勤列表"),
        description=_("每名队员每月一行（在岗、请假、公务外出天数）；按月份倒序。"),
    ),
    retrieve=extend_schema(summary=_("月度考勤详情")),
)
@extend_schema(tags=[_("考勤")])
class AttendanceViewSet(SelectorViewSet):
    queryset = MonthlyAttendance.objects.none()
    serializer_class = AttendanceSerializer
    filterset_class = selectors.AttendanceFilterSet

    def list_rows(self, *, user, filters):
        return selectors.attendance_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.attendance_get(user=user, pk=pk)

    @extend_schema(
        summary=_("保存一个乡（镇）一个月的考勤表"),
        description=_(
            "一次提交整张考勤表（每名队员一行），重复提交无副作用。"
            "已报送锁定的月份拒绝修改；天数按当月天数校验，错误按“任职id.字段”给出。"
        ),
        request=GridSaveSerializer,
        responses={
            200: GridSaveResultSerializer,
            400: REFUSED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=False, methods=["post"])
    def grid(self, request):
        require_perm(
            request.user,
            ("attendance.add_monthlyattendance", "attendance.change_monthlyattendance"),
        )
        payload = GridSaveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        township = _found(
            selectors.township_get, user=request.user, code=data["township"]
        )
        entries = [
            GridEntry(
                membership_id=row["membership"],
                in_post_days=row.get("in_post_days"),
                leave_days=row.get("leave_days"),
                trip_days=row.get("trip_days"),
                remark=row.get("remark") or "",
            )
            for row in data["rows"]
        ]
        result = attendance_grid_save(
            user=request.user,
            township=township,
            month=data["month"],
            entries=entries,
        )
        return Response(GridSaveResultSerializer(result).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("考勤报送列表"),
        description=_(
            "各乡（镇）各月考勤的报送（锁定）状态；submitted=false 为未报送。"
        ),
    ),
    retrieve=extend_schema(summary=_("考勤报送详情")),
)
@extend_schema(tags=[_("考勤")])
class SubmissionViewSet(SelectorViewSet):
    queryset = AttendanceSubmission.objects.none()
    serializer_class = SubmissionSerializer
    filterset_class = selectors.SubmissionFilterSet

    def list_rows(self, *, user, filters):
        return selectors.submission_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.submission_get(user=user, pk=pk)

    def _month_of_township(self, serializer_class):
        payload = serializer_class(data=self.request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        township = _found(
            selectors.township_get, user=self.request.user, code=data["township"]
        )
        return township, month_of(data["month"]), data

    @extend_schema(
        summary=_("报送（锁定）一个乡（镇）一个月的考勤"),
        description=_("全部队员录入后才能报送；报送后不能再修改，需县里退回。"),
        request=MonthOfTownshipSerializer,
        responses={
            200: SubmissionSerializer,
            400: REFUSED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=False, methods=["post"])
    def submit(self, request):
        require_perm(
            request.user,
            (
                "attendance.add_monthlyattendance",
                "attendance.change_attendancesubmission",
            ),
        )
        township, month, _data = self._month_of_township(MonthOfTownshipSerializer)
        submission = attendance_submit(
            user=request.user, township=township, month=month
        )
        return Response(SubmissionSerializer(submission).data)

    @extend_schema(
        summary=_("退回已报送的考勤"),
        description=_(
            "县委组织部退回乡（镇）已报送的一个月，须填写原因（记入操作日志）。"
        ),
        request=ReopenSerializer,
        responses={
            200: SubmissionSerializer,
            400: REFUSED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=False, methods=["post"])
    def reopen(self, request):
        township, month, data = self._month_of_township(ReopenSerializer)
        submission = attendance_reopen(
            user=request.user,
            township=township,
            month=month,
            reason=data["reason"],
        )
        return Response(SubmissionSerializer(submission).data)

    @extend_schema(
        summary=_("考勤报送完整性和及时性"),
        description=_(
            "每个应报乡（镇）一行：应报人数、已录入人数、是否报送、是否按时"
            "（首次报送不晚于次月5日）。month 默认上个月，region 默认本人管辖范围。"
        ),
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description=_("YYYY-MM")),
            OpenApiParameter("region", OpenApiTypes.STR, description=_("行政区划代码")),
        ],
        responses={200: CompletenessRowSerializer(many=True), 400: REFUSED},
        filters=False,
    )
    @action(detail=False, methods=["get"])
    def completeness(self, request):
        params = request.query_params
        month = (
            parse_month(params["month"])
            if params.get("month")
            else previous_month(month_of(clock.today()))
        )
        region = None
        if params.get("region"):
            region = _found(
                selectors.region_get, user=request.user, code=params["region"]
            )
        townships = selectors.completeness_townships(
            user=request.user, month=month, region=region
        )
        page = self.paginate_queryset(townships)
        rows = selectors.completeness_rows(month=month, townships=page)
        data = [
            {
                "township_id": r.township_id,
                "code": r.code,
                "name": r.name,
                "county_name": r.county_name,
                "expected": r.expected,
                "recorded": r.recorded,
                "submitted": r.submitted,
                "submitted_at": r.submitted_at,
                "first_submitted_at": r.first_submitted_at,
                "on_time": r.on_time,
                "overdue": r.overdue,
                "due": r.due,
                "reopened_reason": r.reopened_reason,
            }
            for r in rows
        ]
        return self.get_paginated_response(
            CompletenessRowSerializer(data, many=True).data
        )


@extend_schema_view(
    list=extend_schema(
        summary=_("入户走访列表"),
        description=_("走访记录，按日期倒序；quarter=2022Q4 只看该季度。"),
    ),
    retrieve=extend_schema(summary=_("入户走访详情")),
)
@extend_schema(tags=[_("入户走访")])
class VisitViewSet(SelectorViewSet):
    queryset = HouseholdVisit.objects.none()
    serializer_class = VisitSerializer
    filterset_class = selectors.VisitFilterSet

    def list_rows(self, *, user, filters):
        return selectors.visit_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.visit_get(user=user, pk=pk)

    @extend_schema(
        summary=_("记录一次入户走访"),
        request=VisitCreateSerializer,
        responses={201: VisitSerializer, 400: REFUSED, 403: FORBIDDEN},
    )
    def create(self, request):
        require_perm(request.user, "attendance.add_householdvisit")
        payload = VisitCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = request.user
        team = _in_scope(user, Team, data["team"], "team")
        household = _in_scope(user, Household, data["household"], "household")
        membership = _in_scope(user, Membership, data["membership"], "membership")
        visit = household_visit_create(
            user=user,
            team=team,
            household=household,
            membership=membership,
            visited_on=data["visited_on"],
            notes=data["notes"],
        )
        visit = selectors.visit_get(user=user, pk=visit.pk)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary=_("季度工作报告列表"),
        description=_("驻村工作队每季度向县报告的思想、工作、学习情况。"),
    ),
    retrieve=extend_schema(summary=_("季度工作报告详情")),
)
@extend_schema(tags=[_("季度工作报告")])
class ReportViewSet(SelectorViewSet):
    queryset = TeamReport.objects.none()
    serializer_class = ReportSerializer
    filterset_class = selectors.ReportFilterSet

    def list_rows(self, *, user, filters):
        return selectors.report_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.report_get(user=user, pk=pk)

    @extend_schema(
        summary=_("报送（或更正）季度工作报告"),
        request=ReportCreateSerializer,
        responses={201: ReportSerializer, 400: REFUSED, 403: FORBIDDEN},
    )
    def create(self, request):
        require_perm(
            request.user, ("attendance.add_teamreport", "attendance.change_teamreport")
        )
        payload = ReportCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        team = _in_scope(request.user, Team, data["team"], "team")
        report = team_report_submit(
            user=request.user,
            team=team,
            quarter=Quarter.parse(data["quarter"]),
            thinking=data["thinking"],
            work=data["work"],
            study=data["study"],
            submitted_on=data.get("submitted_on"),
        )
        report = selectors.report_get(user=request.user, pk=report.pk)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary=_("队长会议列表"),
        description=_("县（市、区）驻村工作队队长会议，按日期倒序。"),
    ),
    retrieve=extend_schema(summary=_("队长会议详情")),
)
@extend_schema(tags=[_("队长会议")])
class MeetingViewSet(SelectorViewSet):
    queryset = LeaderMeeting.objects.none()
    serializer_class = MeetingSerializer
    filterset_class = selectors.MeetingFilterSet

    def list_rows(self, *, user, filters):
        return selectors.meeting_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.meeting_api_get(user=user, pk=pk)

    @extend_schema(
        summary=_("记录一次队长会议"),
        request=MeetingCreateSerializer,
        responses={201: MeetingSerializer, 400: REFUSED, 403: FORBIDDEN},
    )
    def create(self, request):
        require_perm(request.user, "attendance.add_leadermeeting")
        payload = MeetingCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        county = _found(selectors.county_get, user=request.user, code=data["county"])
        attendees = [
            _in_scope(request.user, Membership, pk, "attendees")
            for pk in sorted(set(data["attendees"]))
        ]
        meeting = leader_meeting_create(
            user=request.user,
            county=county,
            held_on=data["held_on"],
            minutes=data["minutes"],
            attendees=attendees,
        )
        meeting = selectors.meeting_api_get(user=request.user, pk=meeting.pk)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary=_("月度在岗汇总列表"),
        description=_(
            "每月汇总到工作队、乡（镇）、县、市（州）、省各级的应报人数、已录入人数、"
            "在岗天数和在岗率；由每晚的汇总任务写入。"
        ),
    ),
    retrieve=extend_schema(summary=_("月度在岗汇总详情")),
)
@extend_schema(tags=[_("考勤")])
class RollupViewSet(SelectorViewSet):
    queryset = AttendanceRollup.objects.none()
    serializer_class = RollupSerializer
    filterset_class = selectors.RollupFilterSet

    def list_rows(self, *, user, filters):
        return selectors.rollup_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.rollup_get(user=user, pk=pk)


@extend_schema_view(
    list=extend_schema(
        summary=_("提醒列表"),
        description=_(
            "管辖范围内发出的提醒和发给本人的提醒；mine=true 只看本人收件箱，"
            "unread=true 只看未读。"
        ),
    ),
    retrieve=extend_schema(summary=_("提醒详情")),
)
@extend_schema(tags=[_("提醒")])
class ReminderViewSet(SelectorViewSet):
    queryset = Reminder.objects.none()
    serializer_class = ReminderSerializer
    filterset_class = selectors.ReminderFilterSet

    def list_rows(self, *, user, filters):
        return selectors.reminder_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.reminder_get(user=user, pk=pk)

    @extend_schema(
        summary=_("把一条提醒标为已读"),
        description=_("只能标记发给本人的提醒。"),
        request=None,
        responses={200: ReadCountSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        if not Reminder.objects.filter(pk=pk, recipient=request.user).exists():
            raise Http404
        marked = reminders_mark_read(user=request.user, ids=[int(pk)])
        return Response({"marked": marked})

    @extend_schema(
        summary=_("把本人的全部提醒标为已读"),
        request=None,
        responses={200: ReadCountSerializer},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": reminders_mark_read(user=request.user)})
