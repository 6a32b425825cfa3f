"""API of units and pairings under /api/v1/ (see ``teams.api``)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import PermissionDenied

from teams import selectors
from teams.api_writes import (
    PairingWriteSerializer,
    UnitWriteSerializer,
)
from teams.models import Pairing, Unit, WorkCommittee
from teams.serializers import (
    PairingSerializer,
    UnitSerializer,
)
from teams.services import (
    pairing_create,
    pairing_update,
    unit_create,
    unit_update,
)
from villages.models import Region
from villages.selectors import managed_regions
from zhucun.access import scoped
from zhucun.api_filters import SelectorViewSet
from zhucun.api_views import NOT_FOUND, REFUSED
from zhucun.roles import require_perm


def _region_by_code(code: str | None, field: str) -> Region | None:
    """Any region of the province by its code (counties linked to a unit or a pairing)."""
    if not code:
        return None
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise DjangoValidationError(
            {field: _("未找到行政区划代码“%(code)s”。") % {"code": code}}
        )
    return region


def _managed(user, region: Region | None) -> bool:
    return (
        region is not None and managed_regions(user=user).filter(pk=region.pk).exists()
    )


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

    def _relations(self, data: dict) -> dict:
        """Turn the codes and ids of the body into rows the user may name."""
        user = self.request.user
        if "region" in data:
            region = _region_by_code(data["region"], "region")
            if not _managed(user, region):
                raise DjangoValidationError(
                    {
                        "region": _("所在地区“%(name)s”不在您的管辖范围内。")
                        % {"name": region.name}
                    }
                )
            data["region"] = region
        for field in ("fixed_point_county", "deep_poverty_link_county"):
            if field in data:
                data[field] = _region_by_code(data[field], field)
        if data.get("work_committee") is not None:
            committee = (
                scoped(user, WorkCommittee.objects.all())
                .filter(pk=data["work_committee"])
                .first()
            )
            if committee is None:
                raise DjangoValidationError(
                    {"work_committee": _("机关工委不存在或不在您的管辖范围内。")}
                )
            data["work_committee"] = committee
        return data

    @extend_schema(
        summary=_("登记派出单位"),
        description=_(
            "县委组织部登记位于本地区的派出单位（单位名称全省唯一）。"
            "单位目录全省共享，登记后各地都能选用；写入操作日志。"
        ),
        request=UnitWriteSerializer,
        responses={
            201: UnitSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有登记派出单位的权限")),
        },
    )
    def create(self, request):
        require_perm(request.user, "teams.add_unit", _("您没有登记派出单位的权限。"))
        body = UnitWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        unit = unit_create(
            **self._relations(dict(body.validated_data)), user=request.user
        )
        return self.written(unit, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("修改派出单位"),
        description=_(
            "只修改所填的字段。单位目录全省共享，但只有单位所在地区的管理者能修改它："
            "其他地区的单位返回403。修改前后的值写入操作日志。"
        ),
        request=UnitWriteSerializer,
        responses={
            200: UnitSerializer,
            400: REFUSED,
            403: OpenApiResponse(
                description=_("没有修改派出单位的权限，或单位不在您的管辖范围内")
            ),
            404: NOT_FOUND,
        },
    )
    def partial_update(self, request, pk=None):
        unit = self.get_object()
        require_perm(request.user, "teams.change_unit", _("您没有修改派出单位的权限。"))
        if not _managed(request.user, unit.region):
            raise PermissionDenied(
                _("“%(name)s”位于%(region)s，不在您的管辖范围内，不能修改。")
                % {"name": unit.name, "region": unit.region.name}
            )
        body = UnitWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        unit = unit_update(
            unit=unit, **self._relations(dict(body.validated_data)), user=request.user
        )
        return self.written(unit)


@extend_schema_view(
    list=extend_schema(
        summary=_("对口帮扶关系列表"),
        description=_(
            "对口帮扶（帮扶县 → 藏区、彝区受援贫困县），按受援县排序；"
            "region 返回帮扶县或受援县位于该地区的关系。"
        ),
    ),
    retrieve=extend_schema(
        summary=_("对口帮扶关系详情"), description=_("按 id 读取一条对口帮扶关系。")
    ),
)
@extend_schema(tags=[_("对口帮扶")])
class PairingViewSet(SelectorViewSet):
    queryset = Pairing.objects.none()
    serializer_class = PairingSerializer
    filterset_class = selectors.PairingFilterSet

    def list_rows(self, *, user, filters):
        return selectors.pairing_list(user=user, filters=filters)

    def get_row(self, *, user, pk):
        return selectors.pairing_get(user=user, pk=pk)

    def _counties(self, data: dict) -> dict:
        return {
            field: _region_by_code(data[field], field)
            for field in ("assisting_county", "assisted_county")
            if field in data
        }

    def _require_one_managed(self, assisting: Region, assisted: Region) -> None:
        user = self.request.user
        if not (_managed(user, assisting) or _managed(user, assisted)):
            raise DjangoValidationError(
                {"assisted_county": _("帮扶县和受援县都不在您的管辖范围内。")}
            )

    @extend_schema(
        summary=_("登记对口帮扶关系"),
        description=_(
            "帮扶县和受援县须为两个不同的县（市、区），其中至少一个在您的管辖范围内；"
            "同一对关系不能重复登记。写入操作日志。"
        ),
        request=PairingWriteSerializer,
        responses={
            201: PairingSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有登记对口帮扶关系的权限")),
        },
    )
    def create(self, request):
        require_perm(
            request.user, "teams.add_pairing", _("您没有登记对口帮扶关系的权限。")
        )
        body = PairingWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        counties = self._counties(body.validated_data)
        self._require_one_managed(
            counties["assisting_county"], counties["assisted_county"]
        )
        pairing = pairing_create(**counties, user=request.user)
        return self.written(pairing, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("修改对口帮扶关系"),
        description=_(
            "更换帮扶县或受援县；修改后至少一个仍须在您的管辖范围内。写入操作日志。"
        ),
        request=PairingWriteSerializer,
        responses={
            200: PairingSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("没有修改对口帮扶关系的权限")),
            404: NOT_FOUND,
        },
    )
    def partial_update(self, request, pk=None):
        pairing = self.get_object()
        require_perm(
            request.user, "teams.change_pairing", _("您没有修改对口帮扶关系的权限。")
        )
        body = PairingWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        counties = self._counties(body.validated_data)
        self._require_one_managed(
            counties.get("assisting_county", pairing.assisting_county),
            counties.get("assisted_county", pairing.assisted_county),
        )
        pairing = pairing_update(pairing=pairing, **counties, user=request.user)
        return self.written(pairing)
