"""The /api/v1/ router; each app's viewsets live in its own api.py and are listed here."""

from rest_framework.routers import DefaultRouter

from teams.api import MembershipViewSet, PersonViewSet, TeamViewSet, UnitViewSet
from villages.api import RegionViewSet, VillageViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("villages", VillageViewSet, basename="village")
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("teams", TeamViewSet, basename="team")
router.register("memberships", MembershipViewSet, basename="membership")
