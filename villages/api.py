"""Read-only API of regions and villages (/api/v1/regions/, /api/v1/villages/)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from villages import selectors
from villages.models import Region, Village
from villages.serializers import RegionSerializer, VillageSerializer
from zhucun.api_filters import SelectorViewSet


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
