"""API of the yearly cycle: grades, training, target letters (under /api/v1/).

Reads come from ``assessments.selectors`` (the pages and exports read the same);
writes validate their input here, refuse a foreign key outside the user's scope
with a field error (``require_in_scope``) and call the services, so the API, the
pages and the imports enforce the same rules (the 20% cap among them).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessments import selectors
from assessments.cycle import (
    COUNTY_PARAM,
    REGION_PARAM,
    YEAR_PARAM,
    api_county,
    api_place,
    api_year,
    county_of,
    in_place,
    teams_in_place,
)
from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from assessments.serializers import (
    AssessmentSerializer,
    AssessmentWriteSerializer,
    CapSerializer,
    FindingSerializer,
    PersonRecordSerializer,
    TargetItemPatchSerializer,
    TargetItemSerializer,
    TargetItemWriteSerializer,
    TargetLetterSerializer,
    TargetLetterWriteSerializer,
    TeamWithoutLetterSerializer,
    TrainingDaysSerializer,
    TrainingEventSerializer,
    TrainingRecordSerializer,
    TrainingRecordWriteSerializer,
)
from assessments.services import (
    assessment_grade,
    target_item_add,
    target_item_delete,
    target_item_progress,
    target_item_update,
    target_letter_create,
    training_attendance_add,
    training_attendance_remove,
    training_event_create,
)
from teams.models import Membership, Person
from villages.models import Region
from zhucun import clock
from zhucun.access import require_in_scope
from zhucun.api_views import WritableSelectorViewSet, service_errors
from zhucun.periods import last_completed_year, year_bounds
from zhucun.queries import overlapping

# --- grades (四(三)) ------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("考核结果列表"),
        description=gettext_lazy(
            "年度考核和期满考核的等次及村民测评、村干部评议分数，最新年度在前；"
            "region 按驻点村所在地区筛选。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("考核结果详情")),
    create=extend_schema(
        summary=gettext_lazy("评定考核等次"),
        description=gettext_lazy(
            "为一名队员评定（或改评）某年度的等次。评为优秀时按所在县不超过队员总数"
            "20%（不含第一书记）的上限复核，超出时返回400并说明原因。"
        ),
        request=AssessmentWriteSerializer,
        responses={201: AssessmentSerializer},
    ),
)
@extend_schema(tags=[gettext_lazy("考核")])
class AssessmentViewSet(mixins.CreateModelMixin, WritableSelectorViewSet):
    queryset = Assessment.objects.none()
    serializer_class = AssessmentSerializer
    filterset_class = selectors.AssessmentFilterSet

    def list_rows(self, *, user, filters):
        return selectors.assessment_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.assessment_get(user=user, pk=pk)

    def create(self, request, *args, **kwargs):
        data = AssessmentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            require_in_scope(request.user, values["membership"], "membership")
            graded = assessment_grade(user=request.user, **values)
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        row = selectors.assessment_get(user=request.user, pk=graded.pk)
        return Response(self.read(row), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("优秀名额"),
        description=gettext_lazy(
            "某县某年度的优秀名额：计入名额的队员数、上限、已评优秀人数和尚余名额。"
        ),
        parameters=[
            OpenApiParameter(
                "county",
                OpenApiTypes.STR,
                required=True,
                description=gettext_lazy("县（市、区）代码"),
            ),
            YEAR_PARAM,
        ],
        responses={200: CapSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def cap(self, request):
        county = api_county(request, required=True)
        year = api_year(request, default=clock.today().year)
        cap = selectors.excellent_cap_summary(county=county, year=year)
        return Response(
            CapSerializer(
                {
                    "county": county.code,
                    "year": year,
                    "members": cap.members,
                    "cap": cap.cap,
                    "excellent": cap.excellent,
                    "remaining": cap.remaining,
                }
            ).data
        )

    @extend_schema(
        summary=gettext_lazy("不得评先评优的派出单位"),
        description=gettext_lazy(
            "四(三)队员考核不称职、四(四)帮扶村未按计划退出的派出单位，由规则按该年度"
            "年底实时计算（UNIT_BARRED_FOR_UNFIT、UNIT_BARRED_FOR_VILLAGE）。"
            "year 默认为最近结束的年度。"
        ),
        parameters=[YEAR_PARAM, REGION_PARAM, COUNTY_PARAM],
        responses={200: FindingSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def barred(self, request):
        year = api_year(request, default=last_completed_year(clock.today()))
        place = api_place(request)
        findings = selectors.barred_units(
            user=request.user, year=year, county=county_of(place)
        )
        if place is not None and county_of(place) is None:
            # A finding names its county: keep the counties of (or above) the place.
            codes = set(
                Region.objects.filter(
                    level=Region.Level.COUNTY, path__startswith=place.path
                ).values_list("code", flat=True)
            )
            if place.level == Region.Level.TOWNSHIP:
                codes = {place.path.strip("/").split("/")[2]}
            findings = [f for f in findings if f.county_code in codes]
        page = self.paginate_queryset(findings)
        return self.get_paginated_response(FindingSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("干部驻村工作档案"),
        description=gettext_lazy(
            "一名干部在管辖范围内的驻村经历、在岗情况、培训天数、考核结果和合规问题，"
            "与个人档案页面相同。"
        ),
        parameters=[
            OpenApiParameter(
                "person",
                OpenApiTypes.INT,
                required=True,
                description=gettext_lazy("干部 id"),
            )
        ],
        responses={200: PersonRecordSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None, url_path="record")
    def record(self, request):
        raw = request.query_params.get("person", "")
        if not raw.isdigit():
            raise ValidationError({"person": [_("请提供干部 id。")]})
        try:
            person = selectors.person_record_get(user=request.user, pk=int(raw))
        except Person.DoesNotExist:
            raise Http404 from None
        record = selectors.person_record(user=request.user, person=person)
        record.findings = selectors.person_findings(memberships=record.memberships)
        return Response(PersonRecordSerializer(record).data)


# --- training (四(二)) ----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("培训班列表"),
        description=gettext_lazy(
            "省级、市级、县级培训班，最近开班的在前；培训班为全省共享，attendees 为"
            "管辖范围内的参训人数。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("培训班详情")),
    create=extend_schema(summary=gettext_lazy("登记培训班")),
)
@extend_schema(tags=[gettext_lazy("培训")])
class TrainingEventViewSet(mixins.CreateModelMixin, WritableSelectorViewSet):
    queryset = TrainingEvent.objects.none()
    serializer_class = TrainingEventSerializer
    filterset_class = selectors.TrainingEventFilterSet

    def list_rows(self, *, user, filters):
        return selectors.training_event_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.training_event_get(user=user, pk=pk)

    def create(self, request, *args, **kwargs):
        data = TrainingEventSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            event = training_event_create(user=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        row = selectors.training_event_get(user=request.user, pk=event.pk)
        return Response(self.read(row), status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("培训记录列表"),
        description=gettext_lazy(
            "干部参加培训班的记录；region 返回曾在该地区驻村的干部的记录。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("培训记录详情")),
    create=extend_schema(
        summary=gettext_lazy("添加参训人员"),
        request=TrainingRecordWriteSerializer,
        responses={201: TrainingRecordSerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("移出参训名单")),
)
@extend_schema(tags=[gettext_lazy("培训")])
class TrainingRecordViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, WritableSelectorViewSet
):
    queryset = TrainingRecord.objects.none()
    serializer_class = TrainingRecordSerializer
    filterset_class = selectors.TrainingRecordFilterSet

    def list_rows(self, *, user, filters):
        return selectors.training_record_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.training_record_get(user=user, pk=pk)

    def create(self, request, *args, **kwargs):
        data = TrainingRecordWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            require_in_scope(request.user, values["person"], "person")
            created = training_attendance_add(
                event=values["event"],
                people=[values["person"]],
                days=values["days"],
                user=request.user,
            )
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        if not created:
            raise ValidationError({"person": [_("该干部已在该培训班的参训名单中。")]})
        row = selectors.training_record_get(user=request.user, pk=created[0].pk)
        return Response(self.read(row), status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        training_attendance_remove(record=instance, user=self.request.user)

    @extend_schema(
        summary=gettext_lazy("队员年度培训天数"),
        description=gettext_lazy(
            "当年驻村的每名队员的累计培训天数，与全年不少于5天的要求及截至系统日期的"
            "进度（按日折算）比较；behind=true 只返回落后进度的队员。"
        ),
        parameters=[
            YEAR_PARAM,
            REGION_PARAM,
            COUNTY_PARAM,
            OpenApiParameter(
                "behind",
                OpenApiTypes.BOOL,
                description=gettext_lazy("只返回进度落后的队员"),
            ),
        ],
        responses={200: TrainingDaysSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def days(self, request):
        year = api_year(request, default=clock.today().year)
        place = api_place(request)
        county = county_of(place)
        pace = selectors.training_pace(year)
        behind_only = request.query_params.get("behind") in ("true", "1")
        people = selectors.training_days_list(
            user=request.user,
            year=year,
            county=county,
            behind_only=behind_only,
            pace=pace,
        )
        if place is not None and county is None:
            first, last = year_bounds(year)
            served_there = Membership.objects.filter(
                overlapping(first, last), in_place(place, "team__village__")
            )
            people = people.filter(pk__in=served_there.values("person_id"))
        page = self.paginate_queryset(people)
        for person in page:
            person.expected = pace.expected
            person.required = pace.required
            person.behind = person.training_days < pace.expected
        return self.get_paginated_response(TrainingDaysSerializer(page, many=True).data)


# --- target letters (三) --------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("目标责任书列表"),
        description=gettext_lazy(
            "各工作队的年度目标责任书及任务清单的完成、落实到人情况；"
            "region 按驻点村所在地区筛选。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("目标责任书详情")),
    create=extend_schema(
        summary=gettext_lazy("签订目标责任书"),
        request=TargetLetterWriteSerializer,
        responses={201: TargetLetterSerializer},
    ),
)
@extend_schema(tags=[gettext_lazy("目标责任书")])
class TargetLetterViewSet(mixins.CreateModelMixin, WritableSelectorViewSet):
    queryset = TargetLetter.objects.none()
    serializer_class = TargetLetterSerializer
    filterset_class = selectors.TargetLetterFilterSet

    def list_rows(self, *, user, filters):
        return selectors.target_letter_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.target_letter_get(user=user, pk=pk)

    def create(self, request, *args, **kwargs):
        data = TargetLetterWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            require_in_scope(request.user, values["team"], "team")
            letter = target_letter_create(user=request.user, **values)
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        row = selectors.target_letter_get(user=request.user, pk=letter.pk)
        return Response(self.read(row), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("尚未签订目标责任书的工作队"),
        parameters=[YEAR_PARAM, REGION_PARAM, COUNTY_PARAM],
        responses={200: TeamWithoutLetterSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def missing(self, request):
        year = api_year(request, default=clock.today().year)
        place = api_place(request)
        teams = teams_in_place(
            selectors.teams_without_letter(
                user=request.user, year=year, county=county_of(place)
            ),
            place,
        )
        page = self.paginate_queryset(teams)
        return self.get_paginated_response(
            TeamWithoutLetterSerializer(page, many=True).data
        )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("目标任务列表"),
        description=gettext_lazy(
            "目标责任书的任务清单（清单制），每项的责任人和进度。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("目标任务详情")),
    create=extend_schema(
        summary=gettext_lazy("添加目标任务"),
        request=TargetItemWriteSerializer,
        responses={201: TargetItemSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改目标任务或更新进度"),
        description=gettext_lazy(
            "content、responsible 修改任务本身；status、evidence 记录工作队的进度"
            "（标记为已完成时须有佐证材料）。"
        ),
        request=TargetItemPatchSerializer,
        responses={200: TargetItemSerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("删除目标任务")),
)
@extend_schema(tags=[gettext_lazy("目标责任书")])
class TargetItemViewSet(
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    WritableSelectorViewSet,
):
    queryset = TargetItem.objects.none()
    serializer_class = TargetItemSerializer
    filterset_class = selectors.TargetItemFilterSet

    def list_rows(self, *, user, filters):
        return selectors.target_item_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.target_item_get(user=user, pk=pk)

    def create(self, request, *args, **kwargs):
        data = TargetItemWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            require_in_scope(request.user, values["letter"], "letter")
            require_in_scope(request.user, values["responsible"], "responsible")
            item = target_item_add(user=request.user, **values)
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        row = selectors.target_item_get(user=request.user, pk=item.pk)
        return Response(self.read(row), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        data = TargetItemPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        try:
            if "content" in values or "responsible" in values:
                responsible = values.get("responsible", item.responsible)
                require_in_scope(user, responsible, "responsible")
                item = target_item_update(
                    item=item,
                    content=values.get("content", item.content),
                    responsible=responsible,
                    user=user,
                )
            if "status" in values or "evidence" in values:
                item = target_item_progress(
                    item=item,
                    status=values.get("status", item.status),
                    evidence=values.get("evidence", item.evidence),
                    user=user,
                )
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        return Response(self.read(selectors.target_item_get(user=user, pk=item.pk)))

    def perform_destroy(self, instance):
        target_item_delete(item=instance, user=self.request.user)
