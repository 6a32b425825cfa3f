"""API of working funds and spending (/api/v1/funds/, /api/v1/spending/)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessments.cycle import (
    COUNTY_PARAM,
    REGION_PARAM,
    YEAR_PARAM,
    api_place,
    api_year,
    county_of,
    teams_in_place,
)
from funding import selectors
from funding.models import Fund, Spending
from funding.serializers import (
    FundCreatedSerializer,
    FundPatchSerializer,
    FundSerializer,
    FundWriteSerializer,
    SourceSuggestionSerializer,
    SpendingSerializer,
    SpendingWriteSerializer,
    TeamFundingSerializer,
)
from funding.services import (
    fund_create,
    fund_update,
    source_mismatch,
    spending_create,
    spending_delete,
)
from teams.models import Team
from zhucun import clock
from zhucun.access import require_in_scope, scoped
from zhucun.api_views import WritableSelectorViewSet, service_errors


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("工作经费列表"),
        description=gettext_lazy(
            "各工作队每年的工作经费（金额、来源、到位日期）及已支出、余额，最新年度在前；"
            "region 按驻点村所在地区筛选。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("工作经费详情")),
    create=extend_schema(
        summary=gettext_lazy("登记工作经费"),
        description=gettext_lazy(
            "不填 source 时按政策规定的来源登记；所填来源与规定不同时照常登记，"
            "并在 source_warning 中说明。"
        ),
        request=FundWriteSerializer,
        responses={201: FundCreatedSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改工作经费"),
        request=FundPatchSerializer,
        responses={200: FundCreatedSerializer},
    ),
)
@extend_schema(tags=[gettext_lazy("工作经费")])
class FundViewSet(mixins.CreateModelMixin, WritableSelectorViewSet):
    queryset = Fund.objects.none()
    serializer_class = FundSerializer
    filterset_class = selectors.FundFilterSet

    def list_rows(self, *, user, filters):
        return selectors.fund_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.fund_get(user=user, pk=pk)

    def _created(self, fund: Fund, code=status.HTTP_200_OK) -> Response:
        row = selectors.fund_get(user=self.request.user, pk=fund.pk)
        row.source_warning = source_mismatch(team=row.team, source=row.source)
        return Response(FundCreatedSerializer(row).data, status=code)

    def create(self, request, *args, **kwargs):
        data = FundWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team = values["team"]
        try:
            require_in_scope(request.user, team, "team")
            team = Team.objects.select_related("village__county").get(pk=team.pk)
            values["team"] = team
            values.setdefault("source", selectors.suggested_source(team.village.county))
            fund = fund_create(user=request.user, **values)
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        return self._created(fund, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        fund = self.get_object()
        data = FundPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            fund = fund_update(
                fund=fund,
                amount=values.get("amount", fund.amount),
                source=values.get("source", fund.source),
                received_on=values.get("received_on", fund.received_on),
                user=request.user,
            )
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        return self._created(fund)

    @extend_schema(
        summary=gettext_lazy("各工作队年度经费"),
        description=gettext_lazy(
            "当年在驻村期内的每支工作队已安排、已到位（到位日期不晚于系统日期）的经费"
            "及距每年2万元的差额；short=true 只返回已到位不足2万元的工作队。"
        ),
        parameters=[
            YEAR_PARAM,
            REGION_PARAM,
            COUNTY_PARAM,
            OpenApiParameter(
                "short",
                OpenApiTypes.BOOL,
                description=gettext_lazy("只返回经费不足的工作队"),
            ),
        ],
        responses={200: TeamFundingSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def teams(self, request):
        year = api_year(request, default=clock.today().year)
        place = api_place(request)
        rows = teams_in_place(
            selectors.funding_by_team(
                user=request.user,
                year=year,
                county=county_of(place),
                short_only=request.query_params.get("short") in ("true", "1"),
            ),
            place,
        )
        least = selectors.funding_minimum()
        page = self.paginate_queryset(rows)
        for team in page:
            team.short_by = max(least - team.received, 0)
        return self.get_paginated_response(TeamFundingSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("经费来源建议"),
        description=gettext_lazy(
            "五(二)：艰苦边远三类以上民族地区贫困县的工作队经费由省级财政保障，"
            "其余由县级财政保障。"
        ),
        parameters=[
            OpenApiParameter(
                "team",
                OpenApiTypes.INT,
                required=True,
                description=gettext_lazy("驻村工作队 id"),
            )
        ],
        responses={200: SourceSuggestionSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def suggestion(self, request):
        raw = request.query_params.get("team", "")
        if not raw.isdigit():
            raise ValidationError({"team": [_("请提供驻村工作队 id。")]})
        try:
            team = scoped(
                request.user, Team.objects.select_related("village__county")
            ).get(pk=int(raw))
        except Team.DoesNotExist:
            raise Http404 from None
        county = team.village.county
        source = selectors.suggested_source(county)
        reason = (
            _("%(county)s属于艰苦边远三类以上民族地区贫困县")
            if source == Fund.Source.PROVINCIAL
            else _("%(county)s不属于艰苦边远三类以上民族地区贫困县")
        ) % {"county": county.name}
        return Response(
            SourceSuggestionSerializer(
                {
                    "team": team.pk,
                    "source": source,
                    "source_display": str(Fund.Source(source).label),
                    "reason": reason,
                }
            ).data
        )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("经费支出列表"),
        description=gettext_lazy("工作经费的支出明细，最近的在前。"),
    ),
    retrieve=extend_schema(summary=gettext_lazy("经费支出详情")),
    create=extend_schema(
        summary=gettext_lazy("登记经费支出"),
        description=gettext_lazy("支出不能超过该笔经费的余额。"),
        request=SpendingWriteSerializer,
        responses={201: SpendingSerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("删除经费支出")),
)
@extend_schema(tags=[gettext_lazy("工作经费")])
class SpendingViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, WritableSelectorViewSet
):
    queryset = Spending.objects.none()
    serializer_class = SpendingSerializer
    filterset_class = selectors.SpendingFilterSet

    def list_rows(self, *, user, filters):
        return selectors.spending_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.spending_get(user=user, pk=pk)

    def create(self, request, *args, **kwargs):
        data = SpendingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            require_in_scope(request.user, values["fund"], "fund")
            spending = spending_create(user=request.user, **values)
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        row = selectors.spending_get(user=request.user, pk=spending.pk)
        return Response(self.read(row), status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        spending_delete(spending=instance, user=self.request.user)
