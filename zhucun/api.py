"""The /api/v1/ router; each app's viewsets live in its own api.py and are listed here."""

from rest_framework.routers import DefaultRouter

from assessments.yearly_api import (
    AssessmentViewSet,
    TargetItemViewSet,
    TargetLetterViewSet,
    TrainingEventViewSet,
    TrainingRecordViewSet,
)
from attendance.api import (
    AttendanceViewSet,
    MeetingViewSet,
    ReminderViewSet,
    ReportViewSet,
    RollupViewSet,
    SubmissionViewSet,
    VisitViewSet,
)
from compliance.api import FindingViewSet, SummaryViewSet
from funding.api import FundViewSet, SpendingViewSet
from teams.api import (
    MembershipViewSet,
    PairingViewSet,
    PersonViewSet,
    TeamViewSet,
    UnitViewSet,
)
from villages.api import HouseholdViewSet, RegionViewSet, VillageViewSet
from zhucun.workbooks.api import ImportJobViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("villages", VillageViewSet, basename="village")
router.register("households", HouseholdViewSet, basename="household")
router.register("units", UnitViewSet, basename="unit")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("people", PersonViewSet, basename="person")
router.register("teams", TeamViewSet, basename="team")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("compliance/findings", FindingViewSet, basename="compliance-finding")
router.register("compliance/summary", SummaryViewSet, basename="compliance-summary")
router.register("attendance", AttendanceViewSet, basename="attendance")
router.register(
    "attendance-submissions", SubmissionViewSet, basename="attendance-submission"
)
router.register("attendance-rollups", RollupViewSet, basename="attendance-rollup")
router.register("household-visits", VisitViewSet, basename="household-visit")
router.register("team-reports", ReportViewSet, basename="team-report")
router.register("leader-meetings", MeetingViewSet, basename="leader-meeting")
router.register("reminders", ReminderViewSet, basename="reminder")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("training-events", TrainingEventViewSet, basename="training-event")
router.register("training-records", TrainingRecordViewSet, basename="training-record")
router.register("target-letters", TargetLetterViewSet, basename="target-letter")
router.register("target-items", TargetItemViewSet, basename="target-item")
router.register("funds", FundViewSet, basename="fund")
router.register("spending", SpendingViewSet, basename="spending")
router.register("imports", ImportJobViewSet, basename="import")
