"""API of the compliance snapshot under /api/v1/compliance/: findings, counts, refresh."""

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from compliance import selectors as selectors
from compliance.filters import FindingFilterSet
from compliance.models import ComplianceRun, FindingRecord
from compliance.serializers import (
    ComplianceFindingSerializer,
    ComplianceRuleSummarySerializer,
    ComplianceSummarySerializer,
)
from compliance.services import (
    compliance_refresh,
    compliance_request,
    refresh_target,
)
from villages.filters import region_in_scope
from villages.models import Region
from zhucun import clock
from zhucun.api_filters import InvalidFilters, SelectorFilterBackend, SelectorViewSet

SNAPSHOT_NOTE = _(
    "结果来自最近一次合规检查（每晚全省检查一次，县委组织部可随时重新检查本县），"
    "不在请求时逐条检查。"
)


@extend_schema_view(
    list=extend_schema(
        summary=_("合规问题列表"),
        description=_(
            "按川委办〔2018〕19号逐条检查发现的问题（rules.md），按地区和规则顺序排列。"
            "可按规则、级别、地区（含所有下级）、期间、对象筛选。"
        )
        + SNAPSHOT_NOTE,
    ),
    retrieve=extend_schema(
        summary=_("合规问题详情"), description=_("按 id 读取一条合规问题。")
    ),
)
@extend_schema(tags=[_("合规检查")])
class FindingViewSet(SelectorViewSet):
    queryset = FindingRecord.objects.none()
    serializer_class = ComplianceFindingSerializer
    filterset_class = FindingFilterSet

    def list_rows(self, *, user, filters):
        return selectors.finding_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.finding_get(user=user, pk=pk)


def _region(filters, user) -> Region | None:
    """The ``?region=`` of a request (None when absent); 404 unknown or outside scope."""
    code = (filters.get("region") or "").strip()
    if not code:
        return None
    return region_in_scope(user=user, code=code)


class ComplianceRunSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region.code",
        allow_null=True,
        default=None,
        read_only=True,
        label=_("检查范围的行政区划代码（空为全省）"),
    )

    class Meta:
        model = ComplianceRun
        fields = [
            "id",
            "as_of",
            "region",
            "status",
            "requested_at",
            "started_at",
            "finished_at",
            "finding_count",
            "error",
        ]
        read_only_fields = fields


def _rule_counts(row, known: bool) -> dict:
    """One rule's counts; before any run they are unknown (null), never 0."""
    data = {**asdict(row), "id": row.id, "count": row.count}
    if not known:
        data.update(error=None, warning=None, count=None)
    return data


@extend_schema(tags=[_("合规检查")])
class SummaryViewSet(viewsets.GenericViewSet):
    """Counts per rule and severity, with the same filters as the findings."""

    queryset = FindingRecord.objects.none()
    filter_backends = [SelectorFilterBackend]
    filterset_class = FindingFilterSet
    pagination_class = None
    lookup_value_regex = r"[A-Z][A-Z_]*"

    def _summary(self):
        filters = self.request.query_params
        user = self.request.user
        region = _region(filters, user)
        rest = {k: v for k, v in filters.items() if k != "region"}
        try:
            summary = selectors.finding_summary(user=user, filters=rest, within=region)
        except ValidationError as exc:
            raise InvalidFilters(exc) from exc
        place = region or selectors.home_region(user)
        if place is not None and place.level == Region.Level.PROVINCE:
            place = None
        status = selectors.snapshot_status(user=user, region=place)
        checked = status.as_of is not None
        return summary, {
            "as_of": status.as_of,
            "checked_at": status.finished_at,
            "checked": checked,
            "message": ""
            if checked
            else _("尚未检查：还没有合规检查结果，问题数未知。"),
        }

    @extend_schema(
        summary=_("合规问题统计"),
        description=_(
            "每条规则的错误、警告和合计问题数（全部规则，没有问题的为0），"
            "以及检查日期 as_of。尚未检查时 checked 为 false、各项计数为空（未知），"
            "不是0。筛选条件与合规问题列表相同。"
        )
        + SNAPSHOT_NOTE,
        responses=ComplianceSummarySerializer,
    )
    def list(self, request):
        summary, snapshot = self._summary()
        known = snapshot["checked"]
        data = {
            **snapshot,
            "error": summary.error if known else None,
            "warning": summary.warning if known else None,
            "total": summary.total if known else None,
            "count": len(summary.rows),
            "count_capped": False,
            "next": None,
            "previous": None,
            "results": [_rule_counts(row, known) for row in summary.rows],
        }
        return Response(ComplianceSummarySerializer(data).data)

    @extend_schema(
        summary=_("一条规则的合规问题统计"),
        description=_("按规则代码读取该规则的错误、警告和合计问题数，筛选条件同上。"),
        parameters=[
            OpenApiParameter(
                "id",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description=_("规则代码，如 TEAM_TOO_SMALL"),
                pattern=r"^[A-Z][A-Z_]*$",
            ),
            *[
                OpenApiParameter(
                    name,
                    OpenApiTypes.STR,
                    OpenApiParameter.QUERY,
                    description=FindingFilterSet.base_filters[name].label,
                )
                for name in ("region", "severity", "period")
            ],
        ],
        responses=ComplianceRuleSummarySerializer,
    )
    def retrieve(self, request, pk=None):
        summary, snapshot = self._summary()
        try:
            row = summary.get(pk)
        except KeyError:
            raise Http404 from None
        data = {**_rule_counts(row, snapshot["checked"]), **snapshot}
        return Response(ComplianceRuleSummarySerializer(data).data)

    @extend_schema(
        summary=_("重新检查合规情况"),
        description=_(
            "按本人的管辖范围重新检查全部规则：县委组织部当场检查本县，完成后返回 201 "
            "和检查结果（问题数）；省级协调小组和市（州）提交后台检查，返回 202，"
            "完成后合规问题列表和统计自动更新（同一范围已在检查时返回进行中的那一次）。"
            "其他角色没有此权限。"
        ),
        request=None,
        responses={201: ComplianceRunSerializer, 202: ComplianceRunSerializer},
    )
    @action(detail=False, methods=["post"])
    def refresh(self, request):
        target = refresh_target(request.user)
        if target is None:
            raise PermissionDenied(_("您没有重新检查合规情况的权限。"))
        region, synchronous = target
        today = clock.today()
        if synchronous:
            run = compliance_refresh(as_of=today, region=region, user=request.user)
            code = status.HTTP_201_CREATED
        else:
            run, _created = compliance_request(
                region=region, as_of=today, user=request.user
            )
            code = status.HTTP_202_ACCEPTED
        run = ComplianceRun.objects.select_related("region").get(pk=run.pk)
        return Response(ComplianceRunSerializer(run).data, status=code)
