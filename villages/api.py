"""API of regions, villages and households (/api/v1/regions/, villages/, households/).

Reads come from ``villages.selectors``; writes validate their body here, find
their targets through the same selectors (a row outside the user's scope is
absent: 404 for the row written, a field error for a row named in the body) and
call ``villages.services``, so the API, the admin and the imports write alike.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status

from villages import selectors, services
from villages.models import Household, Region, Village
from villages.serializers import (
    HouseholdSerializer,
    HouseholdWriteSerializer,
    RegionSerializer,
    VillageSerializer,
    VillageWriteSerializer,
)
from zhucun.api_filters import SelectorViewSet
from zhucun.api_views import NOT_FOUND, REFUSED
from zhucun.roles import require_perm


def _township(user, code: str) -> Region:
    try:
        return selectors.managed_region_get(
            user=user, code=code, level=Region.Level.TOWNSHIP
        )
    except Region.DoesNotExist:
        raise DjangoValidationError(
            {
                "township": _(
                    "乡（镇）代码“%(code)s”不存在、不是乡（镇），或不在您的管辖范围内。"
                )
                % {"code": code}
            }
        ) from None


@extend_schema_view(
    list=extend_schema(
        summary=_("行政区划列表"),
        description=_(
            "四川省的省、市（州）、县（市、区）和乡（镇），按代码排序。"
            "region 参数返回该区划本身及其所有下级。"
        ),
    ),
    retrieve=extend_schema(
        summary=_("行政区划详情"), description=_("按 id 读取一个行政区划。")
    ),
)
@extend_schema(tags=[_("行政区划")])
class RegionViewSet(SelectorViewSet):
    queryset = Region.objects.none()
    serializer_class = RegionSerializer
    filterset_class = selectors.RegionFilterSet

    def list_rows(self, *, user, filters):
        return selectors.region_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.region_get(user=user, pk=pk)


@extend_schema_view(
    list=extend_schema(
        summary=_("村列表"),
        description=_(
            "村（含建档立卡贫困村），按县、乡（镇）、村名排序。"
            "region 可为市（州）、县（市、区）或乡（镇）代码，含其所有下级。"
        ),
    ),
    retrieve=extend_schema(summary=_("村详情"), description=_("按 id 读取一个村。")),
)
@extend_schema(tags=[_("村")])
class VillageViewSet(SelectorViewSet):
    queryset = Village.objects.none()
    serializer_class = VillageSerializer
    filterset_class = selectors.VillageFilterSet

    def list_rows(self, *, user, filters):
        return selectors.village_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.village_get(user=user, pk=pk)

    @extend_schema(
        summary=_("新建村"),
        description=_(
            "县委组织部在本县的乡（镇）下新建一个村（村只能属于乡（镇））。"
            "同一乡（镇）不能有同名的村，村代码不能重复；写入操作日志。"
        ),
        request=VillageWriteSerializer,
        responses={
            201: VillageSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有新建村的权限")),
        },
    )
    def create(self, request):
        require_perm(request.user, "villages.add_village", _("您没有新建村的权限。"))
        body = VillageWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        township = _township(request.user, data.pop("township"))
        village = services.village_create(township=township, **data, user=request.user)
        return self.written(village, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("修改村"),
        description=_(
            "只修改所填的字段；填写 township 即把村迁到该乡（镇）（须在管辖范围内）。"
            "修改前后的值写入操作日志。"
        ),
        request=VillageWriteSerializer,
        responses={
            200: VillageSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有修改村的权限")),
            404: NOT_FOUND,
        },
    )
    def partial_update(self, request, pk=None):
        village = self.get_object()
        require_perm(request.user, "villages.change_village", _("您没有修改村的权限。"))
        body = VillageWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "township" in data:
            data["township"] = _township(request.user, data["township"])
        village = services.village_update(village=village, **data, user=request.user)
        return self.written(village)


@extend_schema_view(
    list=extend_schema(
        summary=_("农户列表"),
        description=_(
            "村里的农户及其是否属于须每季度走访的重点户（三(四)），按村排序。"
            "region 可为市（州）、县（市、区）或乡（镇）代码，含其所有下级。"
        ),
    ),
    retrieve=extend_schema(
        summary=_("农户详情"), description=_("按 id 读取一户农户。")
    ),
)
@extend_schema(tags=[_("农户")])
class HouseholdViewSet(SelectorViewSet):
    queryset = Household.objects.none()
    serializer_class = HouseholdSerializer
    filterset_class = selectors.HouseholdFilterSet

    def list_rows(self, *, user, filters):
        return selectors.household_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.household_get(user=user, pk=pk)

    @extend_schema(
        summary=_("登记农户"),
        description=_(
            "在管辖范围内的村登记一户农户，标明党员、困难、危重病人、"
            "空巢老人及留守儿童家庭；写入操作日志。"
        ),
        request=HouseholdWriteSerializer,
        responses={
            201: HouseholdSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有登记农户的权限")),
        },
    )
    def create(self, request):
        require_perm(
            request.user, "villages.add_household", _("您没有登记农户的权限。")
        )
        body = HouseholdWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        try:
            village = selectors.village_get(user=request.user, pk=data.pop("village"))
        except Village.DoesNotExist:
            raise DjangoValidationError(
                {"village": _("村不存在或不在您的管辖范围内。")}
            ) from None
        household = services.household_create(
            village=village, **data, user=request.user
        )
        return self.written(household, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("修改农户"),
        description=_(
            "只修改所填的字段（户主、人口、重点户标记）；所属的村不能更改。"
            "修改前后的值写入操作日志。"
        ),
        request=HouseholdWriteSerializer,
        responses={
            200: HouseholdSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有修改农户的权限")),
            404: NOT_FOUND,
        },
    )
    def partial_update(self, request, pk=None):
        household = self.get_object()
        require_perm(
            request.user, "villages.change_household", _("您没有修改农户的权限。")
        )
        body = HouseholdWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "village" in data and data["village"] != household.village_id:
            raise DjangoValidationError(
                {"village": _("农户所属的村不能更改，请在新的村重新登记。")}
            )
        data.pop("village", None)
        household = services.household_update(
            household=household, **data, user=request.user
        )
        return self.written(household)
