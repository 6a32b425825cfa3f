"""The scoping function: every role sees its own place and nothing else."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404
from django.utils import timezone

from accounts.services import user_provision
from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from attendance.models import (
    AttendanceRollup,
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    PlaceSummary,
    Reminder,
    TeamReport,
)
from compliance.models import FindingRecord
from funding.models import Fund, Spending
from teams.models import Membership, Pairing, Person, Team, Unit, WorkCommittee
from tests.factories import (
    HouseholdFactory,
    MembershipFactory,
    TeamFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    WorkCommitteeFactory,
)
from villages.models import Household, Region, Village
from zhucun.access import get_scoped_or_404, require_in_scope, scoped, scoped_models
from zhucun.audit import audit_record
from zhucun.models import AuditEntry, ImportJob, UserScope

D = datetime.date
PROJECT_APPS = ("villages", "teams", "attendance", "assessments", "funding", "zhucun")


def _county_world(county_code: str, tag: str) -> dict:
    """One township, village, team with two members and a row of every kind of record."""
    county = Region.objects.get(code=county_code)
    committee = WorkCommitteeFactory(name=f"{tag}机关工委", region=county)
    unit = UnitFactory(name=f"{tag}派出单位", region=county, work_committee=committee)
    township = TownshipFactory(parent=county)
    village = VillageFactory(township=township, county=county)
    household = HouseholdFactory(village=village)
    team = TeamFactory(village=village)
    secretary = MembershipFactory(
        team=team, role=Membership.Role.FIRST_SECRETARY, person__unit=unit, unit=unit
    )
    member = MembershipFactory(team=team, person__unit=unit, unit=unit)
    MonthlyAttendance.objects.create(
        membership=member, month=D(2019, 1, 1), in_post_days=20
    )
    AttendanceSubmission.objects.create(township=township, month=D(2019, 1, 1))
    HouseholdVisit.objects.create(
        team=team, household=household, membership=member, visited_on=D(2019, 2, 1)
    )
    TeamReport.objects.create(
        team=team, year=2019, quarter=1, submitted_on=D(2019, 3, 30)
    )
    LeaderMeeting.objects.create(county=county, held_on=D(2019, 2, 15))
    AttendanceRollup.objects.create(
        level=AttendanceRollup.Level.TOWNSHIP,
        region=township,
        month=D(2019, 1, 1),
        members_expected=2,
        members_recorded=1,
        in_post_days=20,
        leave_days=0,
        trip_days=0,
        days_possible=62,
        computed_at=timezone.now(),
    )
    clerk = get_user_model().objects.create_user(f"{tag}-clerk")
    ImportJob.objects.create(kind="roster", user=clerk, file_path="/nonexistent/x")
    Reminder.objects.create(
        recipient=clerk,
        kind=Reminder.Kind.ATTENDANCE_DUE,
        period="2019-01",
        object_id=township.pk,
        object_label=township.name,
        message=f"{township.name}2019年1月的考勤尚未报送",
        region=township,
    )
    Assessment.objects.create(
        person=member.person, membership=member, year=2019, grade="competent"
    )
    event = TrainingEvent.objects.create(
        name=f"{tag}培训", level="county", start_date=D(2019, 4, 1), days=3
    )
    TrainingRecord.objects.create(event=event, person=member.person, days=3)
    letter = TargetLetter.objects.create(team=team, year=2019, signed_on=D(2019, 1, 10))
    TargetItem.objects.create(letter=letter, content="产业发展", responsible=member)
    fund = Fund.objects.create(
        team=team, year=2019, amount=Decimal("20000"), source="county"
    )
    Spending.objects.create(
        fund=fund, spent_on=D(2019, 5, 1), amount=Decimal("500"), purpose="办公"
    )
    audit_record(action="update", instance=village, county_code=county.code)
    PlaceSummary.objects.create(
        county=county, year=2019, as_of=D(2019, 12, 31), computed_at=timezone.now()
    )
    pairing = Pairing.objects.create(
        assisting_county=Region.objects.get(code="510104"), assisted_county=county
    )
    return {
        "county": county,
        "township": township,
        "unit": unit,
        "committee": committee,
        "village": village,
        "household": household,
        "pairing": pairing,
        "team": team,
        "secretary": secretary,
        "member": member,
        "clerk": clerk,
    }


@pytest.fixture
def world(db):
    """Two counties in two prefectures: 昭觉县 (凉山州) and 市中区 (内江市)."""
    return {
        "a": _county_world("513431", "昭觉"),
        "b": _county_world("511002", "内江市中"),
    }


def _user(role: str, scope: str, name: str):
    user, _ = user_provision(username=name, role=role, scope=scope)
    return get_user_model().objects.get(pk=user.pk)


DATA_MODELS = [
    Village,
    Household,
    Person,
    Team,
    Membership,
    MonthlyAttendance,
    AttendanceSubmission,
    HouseholdVisit,
    TeamReport,
    LeaderMeeting,
    Assessment,
    TrainingRecord,
    TargetLetter,
    TargetItem,
    Fund,
    Spending,
    PlaceSummary,
]


# County meetings and township submissions are not the business of a unit, a committee
# or (for the county's meetings) a township.
NOT_THEIRS = {
    ("township", LeaderMeeting),
    ("unit", LeaderMeeting),
    ("committee", LeaderMeeting),
    ("unit", AttendanceSubmission),
    ("committee", AttendanceSubmission),
    ("unit", Household),
    ("committee", Household),
    # A county's dashboard counts are read by the county and the regions above.
    ("township", PlaceSummary),
    ("unit", PlaceSummary),
    ("committee", PlaceSummary),
}


def _visible(user, model):
    return scoped(user, model.objects.all())


def test_every_model_of_the_project_has_an_access_rule():
    labels = {
        m._meta.label_lower
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS
    }
    assert labels - scoped_models() == set()


@pytest.mark.parametrize(
    "role, scope_of",
    [
        ("county", lambda w: w["county"].code),
        ("prefecture", lambda w: w["county"].parent.code),
        ("township", lambda w: w["township"].code),
        ("unit", lambda w: w["unit"].name),
        ("committee", lambda w: w["committee"].name),
    ],
)
def test_each_role_sees_its_own_rows_and_none_of_the_other_county(
    world, role, scope_of
):
    user = _user(role, scope_of(world["a"]), f"{role}_a")
    for model in DATA_MODELS:
        mine = _visible(user, model)
        if (role, model) in NOT_THEIRS:
            assert not mine.exists(), f"{role} should see no {model.__name__}"
            continue
        assert mine.exists(), f"{role} sees no {model.__name__} of its own"
        other_ids = _ids_of(world["b"], model)
        assert not mine.filter(pk__in=other_ids).exists(), (
            f"{role} sees {model.__name__} of b"
        )


def _ids_of(w: dict, model) -> list[int]:
    """Primary keys of ``model`` that belong to county world ``w``."""
    lookups = {
        Village: {"county": w["county"]},
        Household: {"village__county": w["county"]},
        Unit: {"pk": w["unit"].pk},
        Person: {"memberships__team": w["team"]},
        Team: {"pk": w["team"].pk},
        Membership: {"team": w["team"]},
        MonthlyAttendance: {"membership__team": w["team"]},
        AttendanceSubmission: {"township": w["township"]},
        HouseholdVisit: {"team": w["team"]},
        TeamReport: {"team": w["team"]},
        LeaderMeeting: {"county": w["county"]},
        Assessment: {"membership__team": w["team"]},
        TrainingRecord: {"person__memberships__team": w["team"]},
        TargetLetter: {"team": w["team"]},
        TargetItem: {"letter__team": w["team"]},
        Fund: {"team": w["team"]},
        Spending: {"fund__team": w["team"]},
        WorkCommittee: {"pk": w["committee"].pk},
        AuditEntry: {"county_code": w["county"].code},
        Pairing: {"assisted_county": w["county"]},
        UserScope: {"region__path__startswith": w["county"].path},
        AttendanceRollup: {"region__path__startswith": w["county"].path},
        PlaceSummary: {"county": w["county"]},
        Reminder: {"region__path__startswith": w["county"].path},
        FindingRecord: {"path__startswith": w["county"].path},
        ImportJob: {"user": w["clerk"]},
    }
    ids = list(model.objects.filter(**lookups[model]).values_list("pk", flat=True))
    assert ids, f"fixture has no {model.__name__} for {w['county'].name}"
    return ids


def test_province_sees_everything(world):
    user = _user("province", "510000", "prov")
    for model in DATA_MODELS:
        assert _visible(user, model).count() == model.objects.count()


def test_the_unit_directory_is_shared_by_every_scoped_user(world):
    user = _user("township", world["a"]["township"].code, "tw-dir")
    assert _visible(user, Unit).count() == Unit.objects.count()
    nobody = get_user_model().objects.create_user("nobody-dir", password="x" * 12)
    assert not _visible(nobody, Unit).exists()


def test_a_user_without_scope_sees_nothing(world):
    user = get_user_model().objects.create_user("nobody", password="x" * 12)
    for model in [*DATA_MODELS, Region, Unit]:
        assert not _visible(user, model).exists()


def test_outside_scope_is_404_not_403(world):
    user = _user("county", "513431", "clerk")
    get_scoped_or_404(user, Team.objects.all(), pk=world["a"]["team"].pk)
    with pytest.raises(Http404):
        get_scoped_or_404(user, Team.objects.all(), pk=world["b"]["team"].pk)


def test_foreign_key_outside_scope_is_a_field_error(world):
    user = _user("county", "513431", "clerk")
    require_in_scope(user, world["a"]["village"], "village")
    with pytest.raises(ValidationError) as excinfo:
        require_in_scope(user, world["b"]["village"], "village")
    assert "不在您的管辖范围内" in excinfo.value.message_dict["village"][0]


def test_audit_entries_visible_to_province_and_own_county_only(world):
    county = _user("county", "513431", "clerk")
    township = _user("township", world["a"]["township"].code, "tw")
    codes = set(
        scoped(county, AuditEntry.objects.all()).values_list("county_code", flat=True)
    )
    assert codes == {"513431"}
    assert not scoped(township, AuditEntry.objects.all()).exists()


def test_pairing_visible_from_both_counties(world):
    """锦江区 helps both 昭觉县 and 市中区: it sees both pairings, each county its own."""
    zhaojue = Pairing.objects.get(assisted_county__code="513431")
    shizhong = Pairing.objects.get(assisted_county__code="511002")
    assert list(scoped(_user("county", "513431", "c1"), Pairing.objects.all())) == [
        zhaojue
    ]
    helper = scoped(_user("county", "510104", "c2"), Pairing.objects.all())
    assert set(helper) == {zhaojue, shizhong}
    assert not scoped(_user("county", "510105", "c3"), Pairing.objects.all()).exists()


def test_the_two_shizhong_districts_do_not_see_each_other(db):
    neijiang = _county_world("511002", "内江")
    leshan = _county_world("511102", "乐山")
    user = _user("county", "511002", "nj")
    villages = scoped(user, Village.objects.all())
    assert list(villages) == [neijiang["village"]]
    assert leshan["village"] not in villages


def test_create_user_command_provisions_and_updates(db, capsys):
    call_command("create_user", "zhaojue", "--role", "county", "--scope", "513431")
    scope = UserScope.objects.get(user__username="zhaojue")
    assert scope.region.code == "513431"
    assert scope.user.groups.get().name == "县委组织部"
    call_command(
        "create_user",
        "zhaojue",
        "--role",
        "prefecture",
        "--scope",
        "513400",
        "--password",
        "Zhucun@2026demo",
    )
    scope.refresh_from_db()
    assert scope.role == "prefecture" and scope.region.code == "513400"
    assert scope.user.check_password("Zhucun@2026demo")
    assert (
        AuditEntry.objects.filter(
            model="auth.user", object_id=str(scope.user.pk)
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "county", "--scope", "513400"], "是市（州）"),
        (["--role", "county", "--scope", "999999"], "不存在"),
        (["--role", "unit", "--scope", "没有的单位"], "不存在"),
        (["--role", "county", "--scope", "513431", "--password", "123"], "密码"),
    ],
)
def test_create_user_refuses_bad_input_in_chinese(db, args, message):
    with pytest.raises(CommandError) as excinfo:
        call_command("create_user", "bad", *args)
    assert message in str(excinfo.value)
    assert not get_user_model().objects.filter(username="bad").exists()
