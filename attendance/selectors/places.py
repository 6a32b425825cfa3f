"""The regions a user may work on: townships, counties, their own region."""

from django.db.models import Exists, OuterRef, QuerySet

from villages.models import Region, Village
from zhucun.access import scoped, user_scope
from zhucun.models import UserScope


def township_choices(*, user, under: Region | None = None) -> QuerySet[Region]:
    """Townships with a team's village the user may see, by code."""
    villages = scoped(user, Village.objects.filter(teams__isnull=False))
    townships = Region.objects.filter(
        level=Region.Level.TOWNSHIP, pk__in=villages.values("township_id")
    )
    if under is not None:
        townships = townships.filter(path__startswith=under.path)
    return townships.select_related("parent").order_by("code")


def township_get(*, user, code: str) -> Region:
    """A township the user may see (one of its villages is in scope); else DoesNotExist."""
    villages = scoped(user, Village.objects.filter(township=OuterRef("pk")))
    return (
        Region.objects.select_related("parent")
        .filter(level=Region.Level.TOWNSHIP, code=code)
        .filter(Exists(villages))
        .get()
    )


def county_get(*, user, code: str) -> Region:
    """A county the user's region scope covers; else DoesNotExist."""
    return region_scope(
        user, Region.objects.filter(level=Region.Level.COUNTY, code=code)
    ).get()


def region_scope(user, regions: QuerySet[Region]) -> QuerySet[Region]:
    """Regions at or under the user's region scope (all for the province)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return regions
    scope = user_scope(user)
    if scope is None or not user.is_active or scope.region_id is None:
        return regions.none()
    if scope.role == UserScope.Role.PROVINCE:
        return regions
    return regions.filter(path__startswith=scope.region.path)


def home_region(user) -> Region | None:
    """The region a page starts from: the user's own, or the province."""
    scope = user_scope(user)
    if scope is not None and scope.region_id is not None:
        return scope.region
    if getattr(user, "is_superuser", False):
        return Region.objects.filter(level=Region.Level.PROVINCE).first()
    return None


def region_get(*, user, code: str) -> Region:
    """A region the user's scope covers; else DoesNotExist."""
    return region_scope(user, Region.objects.filter(code=code)).get()
