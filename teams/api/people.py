"""API of people, teams and memberships under /api/v1/ (see ``teams.api``)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from teams import selectors
from teams.api_writes import (
    InsureSerializer,
    MarkUnfitSerializer,
    MembershipCreateSerializer,
    PersonWriteSerializer,
    ReplaceSerializer,
    StepSerializer,
    TeamCreateSerializer,
)
from teams.models import Membership, Person, Team, Term
from teams.serializers import (
    MembershipSerializer,
    PersonSerializer,
    TeamSerializer,
)
from teams.services import (
    membership_create,
    membership_insure,
    membership_mark_unfit,
    membership_record_step,
    membership_replace,
    person_create,
    person_reveal_personal_data,
    person_update,
    team_create,
)
from villages.models import Village
from villages.selectors import village_get
from zhucun import clock
from zhucun.access import scoped, user_scope
from zhucun.api_filters import SelectorViewSet
from zhucun.api_views import NOT_FOUND, REFUSED
from zhucun.roles import require_perm


class RevealRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label="查看原因", required=False, allow_blank=True, default="", max_length=200
    )


class RevealSerializer(serializers.Serializer):
    id_number = serializers.CharField(label="身份证号码")
    phone = serializers.CharField(label="联系电话", allow_blank=True)
    birth_date = serializers.DateField(label="出生日期")


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

    def _unit(self, data: dict) -> dict:
        if data.get("unit") is not None:
            unit = selectors.unit_list(user=self.request.user).filter(pk=data["unit"])
            data["unit"] = unit.first()
            if data["unit"] is None:
                raise DjangoValidationError({"unit": _("工作单位不存在。")})
        return data

    @extend_schema(
        summary=_("登记干部"),
        description=_(
            "按身份证号码登记一名干部：号码按 GB 11643 核对（长度、出生日期、校验位），"
            "出生日期和性别由号码得出，同一号码不能重复登记。响应中身份证号码和联系电话"
            "脱敏显示。工作单位不在本地区、也未在本地区驻村的干部登记后不在您的管辖范围内，"
            "须由其派出单位推荐后选派（见队员任职）。写入操作日志。"
        ),
        request=PersonWriteSerializer,
        responses={
            201: PersonSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有登记干部的权限")),
        },
    )
    def create(self, request):
        require_perm(request.user, "teams.add_person", _("您没有登记干部的权限。"))
        body = PersonWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = self._unit(dict(body.validated_data))
        person = person_create(**data, user=request.user)
        try:
            person = selectors.person_get(user=request.user, pk=person.pk)
        except Person.DoesNotExist:
            pass  # registered for an appointment by 身份证号码; not (yet) in scope
        return Response(
            self.get_serializer(person).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_("修改干部信息"),
        description=_(
            "只修改所填的字段；身份证号码（以及由它得出的出生日期、性别）不能修改。"
            "修改前后的值写入操作日志，其中联系电话脱敏记录。"
        ),
        request=PersonWriteSerializer,
        responses={
            200: PersonSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有修改干部信息的权限")),
            404: NOT_FOUND,
        },
    )
    def partial_update(self, request, pk=None):
        person = self.get_object()
        require_perm(
            request.user, "teams.change_person", _("您没有修改干部信息的权限。")
        )
        body = PersonWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        person = person_update(
            person=person, **self._unit(dict(body.validated_data)), user=request.user
        )
        row = selectors.person_get(user=request.user, pk=person.pk)
        return Response(self.get_serializer(row).data)

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

    @extend_schema(
        summary=_("组建驻村工作队"),
        description=_(
            "为管辖范围内的一个村组建某一期次的驻村工作队（一村一队：同一村同一期次"
            "只能有一支）。派驻、撤离日期和到岗期限不填时取期次的日期。写入操作日志。"
        ),
        request=TeamCreateSerializer,
        responses={
            201: TeamSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有组建驻村工作队的权限")),
        },
    )
    def create(self, request):
        require_perm(request.user, "teams.add_team", _("您没有组建驻村工作队的权限。"))
        body = TeamCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        try:
            village = village_get(user=request.user, pk=data.pop("village"))
        except Village.DoesNotExist:
            raise DjangoValidationError(
                {"village": _("村不存在或不在您的管辖范围内。")}
            ) from None
        term = scoped(request.user, Term.objects.all()).filter(pk=data.pop("term"))
        term = term.first()
        if term is None:
            raise DjangoValidationError({"term": _("驻村期次不存在。")})
        team = team_create(village=village, term=term, **data, user=request.user)
        row = selectors.team_get(user=request.user, pk=team.pk)
        return Response(TeamSerializer(row).data, status=status.HTTP_201_CREATED)


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

    # --- writes: every one through teams.services, so caps, audit and messages
    # are the same as on the pages.

    def _require_perm(self, codename: str) -> None:
        if not self.request.user.has_perm(codename):
            raise PermissionDenied(_("您没有办理队员任职的权限。"))

    def _person(self, data):
        user = self.request.user
        if data.get("person_id_number"):
            try:
                return selectors.person_by_id_number(
                    user=user, raw=data["person_id_number"]
                )
            except DjangoValidationError as exc:
                raise DjangoValidationError(
                    {"person_id_number": exc.messages}
                ) from None
        try:
            return selectors.person_get(user=user, pk=data["person"])
        except Person.DoesNotExist:
            raise DjangoValidationError(
                {"person": _("干部不存在或不在您的管辖范围内。")}
            ) from None

    def _unit(self, pk):
        unit = selectors.unit_list(user=self.request.user).filter(pk=pk).first()
        if unit is None:
            raise DjangoValidationError({"unit": _("派出单位不存在。")})
        return unit

    @extend_schema(
        summary=_("选派干部到工作队"),
        description=_(
            "县委组织部或派出单位为工作队增加一名队员。检查：同一干部同一时间只能在一个"
            "工作队、一个工作队只能有一名第一书记、凉山州每队最多7人；均在同一事务中完成"
            "并记入操作日志。"
        ),
        request=MembershipCreateSerializer,
        responses={
            201: MembershipSerializer,
            400: OpenApiResponse(description=_("数据有误，fields 中按字段说明原因")),
            403: OpenApiResponse(description=_("没有办理队员任职的权限")),
        },
    )
    def create(self, request):
        self._require_perm("teams.add_membership")
        body = MembershipCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            team = selectors.team_get(user=request.user, pk=data["team"])
        except Team.DoesNotExist:
            raise DjangoValidationError(
                {"team": _("工作队不存在或不在您的管辖范围内。")}
            ) from None
        steps = {}
        if user_scope(request.user) and user_scope(request.user).role == "unit":
            steps["proposed_on"] = clock.today()
        membership = membership_create(
            person=self._person(data),
            team=team,
            role=data["role"],
            unit=self._unit(data["unit"]),
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            is_leader=data["is_leader"],
            sector=data["sector"],
            user=request.user,
            **steps,
        )
        row = selectors.membership_get(user=request.user, pk=membership.pk)
        return Response(MembershipSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("办理选派环节"),
        description=_(
            "按顺序记录：单位党委推荐（派出单位、县）→ 机关工委审核（机关工委）→ "
            "县委组织部选派（县）→ 备案（机关工委）；党组织关系转接（县、乡镇）。"
            "顺序不对或角色不符时拒绝并说明原因。"
        ),
        request=StepSerializer,
        responses={
            200: MembershipSerializer,
            400: OpenApiResponse(description=_("环节顺序或日期有误")),
            403: OpenApiResponse(description=_("角色不能办理该环节")),
            404: OpenApiResponse(description=_("任职不存在或不在管辖范围内")),
        },
    )
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        membership = self.get_object()
        body = StepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership_record_step(
            membership=membership,
            step=body.validated_data["step"],
            on=body.validated_data.get("on") or clock.today(),
            user=request.user,
        )
        return Response(MembershipSerializer(self.get_object()).data)

    @extend_schema(
        summary=_("登记人身意外伤害保险"),
        request=InsureSerializer,
        responses={
            200: MembershipSerializer,
            403: OpenApiResponse(),
            404: OpenApiResponse(),
        },
    )
    @action(detail=True, methods=["post"])
    def insure(self, request, pk=None):
        membership = self.get_object()
        body = InsureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership_insure(
            membership=membership, until=body.validated_data["until"], user=request.user
        )
        return Response(MembershipSerializer(self.get_object()).data)

    @extend_schema(
        summary=_("认定能力素质不适应"),
        description=_("县委组织部认定后，派出单位须在召回调整期限前完成接替。"),
        request=MarkUnfitSerializer,
        responses={
            200: MembershipSerializer,
            400: OpenApiResponse(),
            403: OpenApiResponse(),
            404: OpenApiResponse(),
        },
    )
    @action(detail=True, methods=["post"], url_path="mark-unfit")
    def mark_unfit(self, request, pk=None):
        membership = self.get_object()
        body = MarkUnfitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership_mark_unfit(
            membership=membership,
            on=body.validated_data.get("on") or clock.today(),
            deadline=body.validated_data["deadline"],
            user=request.user,
        )
        return Response(MembershipSerializer(self.get_object()).data)

    @extend_schema(
        summary=_("召回调整：接替不适应的队员"),
        request=ReplaceSerializer,
        responses={
            201: MembershipSerializer,
            400: OpenApiResponse(),
            403: OpenApiResponse(),
            404: OpenApiResponse(),
        },
    )
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        membership = self.get_object()
        body = ReplaceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        new = membership_replace(
            membership=membership,
            person=self._person(data),
            unit=self._unit(data["unit"]),
            start_date=data["start_date"],
            user=request.user,
        )
        row = selectors.membership_get(user=request.user, pk=new.pk)
        return Response(MembershipSerializer(row).data, status=status.HTTP_201_CREATED)
