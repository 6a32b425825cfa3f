"""Read-only API of units, people, teams and memberships under /api/v1/."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from teams import selectors
from teams.models import Membership, Person, Team, Unit
from teams.serializers import (
    MembershipSerializer,
    PersonSerializer,
    TeamSerializer,
    UnitSerializer,
)
from teams.services import person_reveal_personal_data
from zhucun.api_filters import SelectorViewSet


class RevealRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label="查看原因", required=False, allow_blank=True, default="", max_length=200
    )


class RevealSerializer(serializers.Serializer):
    id_number = serializers.CharField(label="身份证号码")
    phone = serializers.CharField(label="联系电话", allow_blank=True)


@extend_schema_view(
    list=extend_schema(
        summary=_("派出单位列表"),
        description=_("派出单位，按单位层级和名称排序；region 按单位所在地区筛选。"),
    ),
    retrieve=extend_schema(
        summary=_("派出单位详情"), description=_("按 id 读取一个派出单位。")
    ),
)
@extend_schema(tags=[_("派出单位")])
class UnitViewSet(SelectorViewSet):
    queryset = Unit.objects.none()
    serializer_class = UnitSerializer
    filterset_class = selectors.UnitFilterSet

    def list_rows(self, *, user, filters):
        return selectors.unit_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.unit_get(user=user, pk=pk)


@extend_schema_view(
    list=extend_schema(
        summary=_("干部列表"),
        description=_(
            "干部，按姓名排序。身份证号码和联系电话脱敏显示。"
            "region 返回曾在或正在该地区驻村的干部，以及工作单位位于该地区的干部。"
        ),
    ),
    retrieve=extend_schema(
        summary=_("干部详情"),
        description=_("按 id 读取一名干部；身份证号码和联系电话脱敏显示。"),
    ),
)
@extend_schema(tags=[_("干部")])
class PersonViewSet(SelectorViewSet):
    queryset = Person.objects.none()
    serializer_class = PersonSerializer
    filterset_class = selectors.PersonFilterSet

    def list_rows(self, *, user, filters):
        return selectors.person_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.person_get(user=user, pk=pk)

    @extend_schema(
        summary=_("查看完整身份证号码和联系电话"),
        description=_(
            "需要“查看完整身份证号码和联系电话”权限；每次查看都记入操作日志。"
            "可在 reason 中说明查看原因。"
        ),
        request=RevealRequestSerializer,
        responses={
            200: RevealSerializer,
            403: OpenApiResponse(description=_("没有查看完整个人信息的权限")),
            404: OpenApiResponse(description=_("干部不存在或不在管辖范围内")),
        },
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        person = self.get_object()
        serializer = RevealRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revealed = person_reveal_personal_data(
            user=request.user, person=person, reason=serializer.validated_data["reason"]
        )
        return Response(RevealSerializer(revealed).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("驻村工作队列表"),
        description=_(
            "驻村工作队（一村一队），按村和派驻日期排序；region 按驻点村所在地区筛选。"
        ),
    ),
    retrieve=extend_schema(
        summary=_("驻村工作队详情"), description=_("按 id 读取一支驻村工作队。")
    ),
)
@extend_schema(tags=[_("驻村工作队")])
class TeamViewSet(SelectorViewSet):
    queryset = Team.objects.none()
    serializer_class = TeamSerializer
    filterset_class = selectors.TeamFilterSet

    def list_rows(self, *, user, filters):
        return selectors.team_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.team_get(user=user, pk=pk)


@extend_schema_view(
    list=extend_schema(
        summary=_("队员任职列表"),
        description=_(
            "干部在驻村工作队的任职（第一书记、队长、队员）及选派各环节日期，"
            "按工作队、职务和起始时间排序；region 按驻点村所在地区筛选。"
        ),
    ),
    retrieve=extend_schema(
        summary=_("队员任职详情"), description=_("按 id 读取一条任职记录。")
    ),
)
@extend_schema(tags=[_("队员任职")])
class MembershipViewSet(SelectorViewSet):
    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    filterset_class = selectors.MembershipFilterSet

    def list_rows(self, *, user, filters):
        return selectors.membership_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.membership_get(user=user, pk=pk)
