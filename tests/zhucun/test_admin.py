"""The Django admin: Chinese, region filters, fixed query counts, writes through services."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from attendance.models import (
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    TeamReport,
)
from funding.models import Fund, Spending
from teams.models import Membership, Pairing, Person, Team
from tests.factories import (
    HouseholdFactory,
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TermFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    WorkCommitteeFactory,
    make_id_number,
)
from villages.models import Region, Village
from zhucun.audit import audit_record
from zhucun.id_numbers import check_digit, mask_id_number
from zhucun.models import AuditEntry

D = datetime.date
ZHAOJUE = "513431"  # 昭觉县, 凉山州
JINJIANG = "510104"  # 锦江区, 成都市


def _county_world(county_code: str, tag: str) -> dict:
    """One village with a team of two and a row of every kind of record, in a county."""
    county = Region.objects.get(code=county_code)
    committee = WorkCommitteeFactory(name=f"{tag}机关工委", region=county)
    unit = UnitFactory(name=f"{tag}派出单位", region=county, work_committee=committee)
    village = VillageFactory(
        name=f"{tag}村", township=TownshipFactory(parent=county), county=county
    )
    household = HouseholdFactory(village=village)
    team = TeamFactory(village=village)
    secretary = MembershipFactory(
        team=team, role=Membership.Role.FIRST_SECRETARY, person__unit=unit, unit=unit
    )
    member = MembershipFactory(team=team, person__unit=unit, unit=unit)
    for membership in (secretary, member):
        for month in (1, 2):
            MonthlyAttendance.objects.create(
                membership=membership, month=D(2019, month, 1), in_post_days=20
            )
    AttendanceSubmission.objects.create(township=village.township, month=D(2019, 1, 1))
    HouseholdVisit.objects.create(
        team=team, household=household, membership=member, visited_on=D(2019, 2, 1)
    )
    TeamReport.objects.create(
        team=team, year=2019, quarter=1, submitted_on=D(2019, 3, 30)
    )
    meeting = LeaderMeeting.objects.create(county=county, held_on=D(2019, 2, 15))
    meeting.attendees.add(secretary, member)
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
        fund=fund, spent_on=D(2019, 5, 1), amount=Decimal("300"), purpose="办公用品"
    )
    audit_record(action="create", instance=village, county_code=county_code)
    return {"village": village, "team": team, "member": member, "unit": unit}


def _province(n: int, start: int = 0) -> None:
    """``n`` county worlds in two prefectures, and a pairing."""
    codes = [ZHAOJUE, JINJIANG, "513432", "510105", "513433", "510106"]
    for i in range(start, start + n):
        _county_world(codes[i % len(codes)], f"第{i}")
    Pairing.objects.get_or_create(
        assisting_county=Region.objects.get(code=JINJIANG),
        assisted_county=Region.objects.get(code=ZHAOJUE),
    )


# Every changelist, with its exact query count for a superuser: session, user,
# the prefecture and county choices, one COUNT, one page of rows, any small
# choice list (terms), and the session save (savepoint, update, release).
CHANGELISTS = {
    "villages_region": 10,
    "villages_village": 9,
    "villages_household": 9,
    "teams_workcommittee": 10,
    "teams_unit": 9,
    "teams_pairing": 10,
    "teams_person": 9,
    "teams_term": 8,
    "teams_team": 10,
    "teams_membership": 10,
    "attendance_monthlyattendance": 9,
    "attendance_attendancesubmission": 9,
    "attendance_householdvisit": 9,
    "attendance_teamreport": 9,
    "attendance_leadermeeting": 9,
    "assessments_assessment": 9,
    "assessments_trainingevent": 7,
    "assessments_trainingrecord": 9,
    "assessments_targetletter": 9,
    "assessments_targetitem": 9,
    "funding_fund": 9,
    "funding_spending": 9,
    "zhucun_auditentry": 9,
}
KEY_CHANGELISTS = (
    "villages_region",
    "villages_village",
    "teams_team",
    "teams_membership",
    "teams_person",
    "teams_unit",
    "attendance_monthlyattendance",
)


def _changelist(name: str) -> str:
    return reverse(f"admin:{name}_changelist")


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "kezhang", "kezhang@example.com", "an-unguessable-pass", first_name="王科长"
    )
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def province(db):
    _province(3)


@pytest.mark.parametrize("name", sorted(CHANGELISTS))
def test_changelist_answers_in_a_fixed_number_of_queries(
    name, province, superuser_client, django_assert_num_queries
):
    with django_assert_num_queries(CHANGELISTS[name]):
        response = superuser_client.get(_changelist(name))
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0


def test_changelist_queries_do_not_grow_with_the_rows(province, superuser_client):
    """The same number of queries with 3 county worlds and with 8."""

    def counts() -> dict[str, int]:
        measured = {}
        for name in KEY_CHANGELISTS:
            with CaptureQueriesContext(connection) as ctx:
                response = superuser_client.get(_changelist(name))
            assert response.status_code == 200
            measured[name] = len(ctx.captured_queries)
        return measured

    before = counts()
    rows_before = Membership.objects.count()
    _province(5, start=3)
    assert Membership.objects.count() > rows_before
    assert counts() == before


def test_admin_speaks_chinese(superuser_client):
    response = superuser_client.get(reverse("admin:index"))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in text
    assert "驻村工作队管理系统" in text
    assert "驻村工作队" in text and "干部" in text and "月度考勤" in text


# --- the region filter ------------------------------------------------------


@pytest.fixture
def two_villages(db):
    """A world in 昭觉县 (凉山州) and one in 锦江区 (成都市)."""
    return _county_world(ZHAOJUE, "昭觉"), _county_world(JINJIANG, "锦江")


def _names(response) -> set[str]:
    return {str(obj) for obj in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"昭觉村", "锦江村"}),
        ({"county": ZHAOJUE}, {"昭觉村"}),
        ({"prefecture": "513400"}, {"昭觉村"}),
        ({"prefecture": "510100"}, {"锦江村"}),
        ({"county": "513432"}, set()),
    ],
)
def test_region_filter_narrows_villages(
    two_villages, superuser_client, query, expected
):
    response = superuser_client.get(_changelist("villages_village"), query)
    assert response.status_code == 200
    assert _names(response) == expected


def test_an_unknown_region_in_the_admin_filter_is_not_found(
    two_villages, superuser_client
):
    response = superuser_client.get(
        _changelist("villages_village"), {"county": "999999"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "village_of"),
    [
        ("teams_team", lambda row: row.village),
        ("teams_membership", lambda row: row.team.village),
        ("attendance_monthlyattendance", lambda row: row.membership.team.village),
        ("funding_fund", lambda row: row.team.village),
    ],
)
def test_region_filter_narrows_rows_reached_through_the_village(
    two_villages, superuser_client, name, village_of
):
    response = superuser_client.get(_changelist(name), {"county": ZHAOJUE})
    rows = list(response.context["cl"].result_list)
    assert rows
    assert {village_of(row).name for row in rows} == {"昭觉村"}


def test_county_choices_follow_the_chosen_prefecture(two_villages, superuser_client):
    all_counties = superuser_client.get(_changelist("villages_village"))
    in_liangshan = superuser_client.get(
        _changelist("villages_village"), {"prefecture": "513400"}
    )
    assert "锦江区（成都市）" in all_counties.content.decode()
    text = in_liangshan.content.decode()
    assert "昭觉县" in text
    assert "锦江区" not in text


def test_audit_trail_filters_by_county_code(two_villages, superuser_client):
    """Each county world wrote one entry with its county code."""
    liangshan = superuser_client.get(
        _changelist("zhucun_auditentry"), {"prefecture": "513400"}
    )
    jinjiang = superuser_client.get(
        _changelist("zhucun_auditentry"), {"county": JINJIANG}
    )
    assert [e.county_code for e in liangshan.context["cl"].result_list] == [ZHAOJUE]
    assert [e.object_repr for e in jinjiang.context["cl"].result_list] == ["锦江村"]


# --- personal data --------------------------------------------------------------


def test_person_list_masks_id_number_and_phone(superuser_client):
    person = PersonFactory(phone="13812345678")
    response = superuser_client.get(_changelist("teams_person"))
    text = response.content.decode()
    assert mask_id_number(person.id_number) in text
    assert "*******5678" in text
    assert person.id_number not in text
    assert "13812345678" not in text


def test_person_change_form_keeps_the_id_number_masked(superuser_client):
    person = PersonFactory()
    response = superuser_client.get(
        reverse("admin:teams_person_change", args=[person.pk])
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert mask_id_number(person.id_number) in text
    assert person.id_number not in text


# --- writes go through the services -----------------------------------------------


def _person_post(unit, id_number: str, **extra) -> dict:
    return {
        "id_number": id_number,
        "name": "李明",
        "ethnicity": "彝族",
        "political_status": Person.PoliticalStatus.CPC,
        "unit": unit.pk,
        "current_post": "科员",
        "rank": Person.Rank.SECTION,
        "on_staff": "on",
        "phone": "13812345678",
        "_save": "保存",
        **extra,
    }


def test_person_add_with_a_wrong_check_digit_is_refused_in_chinese(superuser_client):
    unit = UnitFactory()
    valid = make_id_number()
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    response = superuser_client.post(
        reverse("admin:teams_person_add"), _person_post(unit, wrong)
    )
    assert response.status_code == 200
    assert "身份证号码校验位错误" in response.content.decode()
    assert not Person.objects.exists()
    assert not AuditEntry.objects.exists()


def test_person_add_derives_birth_date_and_gender_and_is_audited(superuser_client):
    unit = UnitFactory()
    body = "51343119850312001"  # sequence 001: odd, so male
    id_number = body + check_digit(body)
    response = superuser_client.post(
        reverse("admin:teams_person_add"),
        _person_post(unit, id_number, birth_date="2000-01-01", gender="F"),
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.birth_date == D(1985, 3, 12)
    assert person.gender == Person.Gender.MALE
    entry = AuditEntry.objects.get(model="teams.person")
    assert entry.action == "create"
    assert entry.object_id == str(person.pk)
    assert entry.actor == superuser_client.user
    assert entry.source == "admin"
    assert entry.changes["id_number"] == [None, mask_id_number(id_number)]


def test_person_change_goes_through_person_update(superuser_client):
    person = PersonFactory(name="张三")
    url = reverse("admin:teams_person_change", args=[person.pk])
    response = superuser_client.post(
        url, _person_post(person.unit, "", name="张三丰", phone="")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "张三丰"
    entry = AuditEntry.objects.get(model="teams.person", action="update")
    assert entry.changes["name"] == ["张三", "张三丰"]


def _membership_post(person, team, unit, **extra) -> dict:
    return {
        "person": person.pk,
        "team": team.pk,
        "role": Membership.Role.MEMBER,
        "unit": unit.pk,
        "sector": Membership.Sector.OTHER,
        "start_date": "2019-01-01",
        "end_date": "2020-05-31",
        "_save": "保存",
        **extra,
    }


def test_overlapping_membership_is_refused_with_the_message(superuser_client):
    existing = MembershipFactory(end_date=None)
    other_team = TeamFactory(village=VillageFactory(name="另一村"))
    response = superuser_client.post(
        reverse("admin:teams_membership_add"),
        _membership_post(existing.person, other_team, existing.unit),
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "同一时间只能在一个工作队" in text
    assert existing.team.village.name in text
    assert Membership.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_second_first_secretary_is_refused_with_the_message(superuser_client):
    secretary = MembershipFactory(role=Membership.Role.FIRST_SECRETARY)
    newcomer = PersonFactory()
    response = superuser_client.post(
        reverse("admin:teams_membership_add"),
        _membership_post(
            newcomer,
            secretary.team,
            newcomer.unit,
            role=Membership.Role.FIRST_SECRETARY,
        ),
    )
    assert response.status_code == 200
    assert "一个工作队只能有一名第一书记" in response.content.decode()
    assert Membership.objects.count() == 1


def test_membership_add_is_audited_with_the_county(superuser_client):
    team = TeamFactory()
    person = PersonFactory()
    response = superuser_client.post(
        reverse("admin:teams_membership_add"),
        _membership_post(person, team, person.unit),
    )
    assert response.status_code == 302
    membership = Membership.objects.get()
    entry = AuditEntry.objects.get(model="teams.membership")
    assert entry.object_id == str(membership.pk)
    assert entry.county_code == ZHAOJUE


def test_ending_a_membership_goes_through_membership_end(superuser_client):
    membership = MembershipFactory(end_date=None)
    data = _membership_post(
        membership.person,
        membership.team,
        membership.unit,
        start_date=membership.start_date.isoformat(),
        end_date="2019-12-31",
        proposed_on="2018-05-20",
        reviewed_on="2018-05-25",
        appointed_on="2018-05-30",
    )
    response = superuser_client.post(
        reverse("admin:teams_membership_change", args=[membership.pk]), data
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.end_date == D(2019, 12, 31)
    entry = AuditEntry.objects.get(model="teams.membership", action="update")
    assert entry.changes == {"end_date": [None, "2019-12-31"]}


def _village_post(township, **extra) -> dict:
    return {
        "township": township.pk,
        "name": "新建村",
        "is_registered_poor": "on",
        "household_count": "150",
        "_save": "保存",
        **extra,
    }


def test_village_under_a_county_is_refused_with_the_message(superuser_client, zhaojue):
    response = superuser_client.post(
        reverse("admin:villages_village_add"), _village_post(zhaojue)
    )
    assert response.status_code == 200
    assert "村必须属于乡（镇）" in response.content.decode()
    assert not Village.objects.exists()
    assert not AuditEntry.objects.exists()


def test_village_add_goes_through_village_create(superuser_client):
    township = TownshipFactory()
    response = superuser_client.post(
        reverse("admin:villages_village_add"), _village_post(township)
    )
    assert response.status_code == 302
    village = Village.objects.get()
    assert village.county_id == township.parent_id
    entry = AuditEntry.objects.get(model="villages.village")
    assert entry.action == "create"
    assert entry.county_code == ZHAOJUE
    assert entry.source == "admin"


def _team_post(village, term, members: list[dict]) -> dict:
    data = {
        "village": village.pk,
        "term": term.pk,
        "name": "",
        "start_date": "2018-06-01",
        "end_date": "2020-05-31",
        "memberships-TOTAL_FORMS": str(len(members)),
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    for i, member in enumerate(members):
        for key, value in member.items():
            data[f"memberships-{i}-{key}"] = value
    return data


def _inline_member(person, role=Membership.Role.MEMBER) -> dict:
    return {
        "person": person.pk,
        "role": role,
        "unit": person.unit.pk,
        "sector": Membership.Sector.OTHER,
        "start_date": "2018-06-01",
        "end_date": "2020-05-31",
    }


def test_team_add_with_members_goes_through_the_services(superuser_client):
    village = VillageFactory()
    term = TermFactory()
    secretary, member = PersonFactory(), PersonFactory()
    response = superuser_client.post(
        reverse("admin:teams_team_add"),
        _team_post(
            village,
            term,
            [
                _inline_member(secretary, Membership.Role.FIRST_SECRETARY),
                _inline_member(member),
            ],
        ),
    )
    assert response.status_code == 302
    team = Team.objects.get()
    assert team.name == f"{village.name}驻村工作队"
    assert set(team.memberships.values_list("person", flat=True)) == {
        secretary.pk,
        member.pk,
    }
    assert AuditEntry.objects.filter(model="teams.team").count() == 1
    assert AuditEntry.objects.filter(model="teams.membership").count() == 2


def test_team_add_with_an_overlapping_member_writes_nothing(superuser_client):
    busy = MembershipFactory(end_date=None)
    village = VillageFactory(name="新村")
    response = superuser_client.post(
        reverse("admin:teams_team_add"),
        _team_post(village, busy.team.term, [_inline_member(busy.person)]),
    )
    assert response.status_code == 200
    assert "同一时间只能在一个工作队" in response.content.decode()
    assert Team.objects.count() == 1
    assert Membership.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_team_changelist_shows_members_in_post_and_first_secretary(superuser_client):
    team = TeamFactory(start_date=D(2018, 6, 1), end_date=None)
    MembershipFactory(
        team=team,
        role=Membership.Role.FIRST_SECRETARY,
        end_date=None,
        person__name="王书记",
    )
    MembershipFactory(team=team, end_date=None)
    MembershipFactory(team=team, end_date=D(2019, 1, 1))
    response = superuser_client.get(_changelist("teams_team"))
    row = response.context["cl"].result_list[0]
    assert row.members_in_post_count == 2
    assert row.first_secretary_name == "王书记"


def test_village_changelist_shows_its_households(superuser_client):
    village = VillageFactory()
    HouseholdFactory.create_batch(3, village=village)
    response = superuser_client.get(_changelist("villages_village"))
    assert response.context["cl"].result_list[0].household_rows == 3


# --- the audit trail is read-only -------------------------------------------------


@pytest.fixture
def entry(db):
    return AuditEntry.objects.create(
        action="create",
        model="villages.village",
        object_id="1",
        object_repr="甲村",
        changes={"name": [None, "甲村"]},
    )


def test_audit_trail_cannot_be_added_changed_or_deleted(entry, superuser_client):
    assert (
        superuser_client.get(reverse("admin:zhucun_auditentry_add")).status_code == 403
    )
    change_url = reverse("admin:zhucun_auditentry_change", args=[entry.pk])
    view = superuser_client.get(change_url)
    assert view.status_code == 200
    assert not view.context["has_change_permission"]
    assert "甲村" in view.content.decode()
    response = superuser_client.post(change_url, {"object_repr": "乙村"})
    assert response.status_code == 403
    delete_url = reverse("admin:zhucun_auditentry_delete", args=[entry.pk])
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.object_repr == "甲村"


def test_audit_trail_offers_no_bulk_action(entry, superuser_client):
    response = superuser_client.get(_changelist("zhucun_auditentry"))
    assert response.context["cl"].result_count == 1
    assert (
        "action_form" not in response.context or response.context["action_form"] is None
    )


# --- townships through township_create --------------------------------------------


def test_township_add_goes_through_township_create(superuser_client, zhaojue):
    response = superuser_client.post(
        reverse("admin:villages_region_add"),
        {"parent": zhaojue.pk, "code": "513431101", "name": "新城镇", "_save": "保存"},
    )
    assert response.status_code == 302
    township = Region.objects.get(code="513431101")
    assert township.level == Region.Level.TOWNSHIP
    assert township.path == f"{zhaojue.path}513431101/"
    entry = AuditEntry.objects.get(model="villages.region")
    assert entry.county_code == ZHAOJUE


def test_township_under_a_prefecture_is_refused_with_the_message(superuser_client):
    liangshan = Region.objects.get(code="513400")
    response = superuser_client.post(
        reverse("admin:villages_region_add"),
        {"parent": liangshan.pk, "code": "513400101", "name": "错乡", "_save": "保存"},
    )
    assert response.status_code == 200
    assert "乡（镇）必须属于县（市、区）" in response.content.decode()
    assert not Region.objects.filter(code="513400101").exists()


def test_prefectures_and_counties_cannot_be_deleted(superuser_client, zhaojue):
    url = reverse("admin:villages_region_delete", args=[zhaojue.pk])
    assert superuser_client.get(url).status_code == 403


# --- a scoped clerk sees only the rows of their county ------------------------------


@pytest.fixture
def clerk_client(client, db):
    from accounts.services import user_provision

    user, _created = user_provision(
        username="zhaojue_clerk",
        role="county",
        scope=ZHAOJUE,
        password="an-unguessable-pass",
    )
    client.force_login(user)
    return client


def test_county_clerk_sees_only_their_county(two_villages, clerk_client):
    zhaojue_world, jinjiang_world = two_villages
    villages = clerk_client.get(_changelist("villages_village"))
    members = clerk_client.get(_changelist("teams_membership"))
    assert villages.status_code == 200
    assert _names(villages) == {"昭觉村"}
    assert {m.team.village.name for m in members.context["cl"].result_list} == {
        "昭觉村"
    }
    other = reverse(
        "admin:villages_village_change", args=[jinjiang_world["village"].pk]
    )
    # Outside the scope the row does not exist: the admin says so and goes home.
    assert clerk_client.get(other).status_code == 302


def test_county_clerk_cannot_pick_a_team_outside_their_county(
    two_villages, clerk_client
):
    zhaojue_world, jinjiang_world = two_villages
    person = PersonFactory()
    response = clerk_client.post(
        reverse("admin:teams_membership_add"),
        _membership_post(person, jinjiang_world["team"], person.unit),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["team"]
    assert not Membership.objects.filter(person=person).exists()


@pytest.mark.parametrize(
    ("model", "field", "term"),
    [
        ("attendance.monthlyattendance", "membership", "干部"),
        ("teams.membership", "team", "第"),
        ("villages.village", "township", "测试乡"),
    ],
)
def test_autocomplete_answers_in_a_fixed_number_of_queries(
    province, superuser_client, django_assert_num_queries, model, field, term
):
    """str() of a membership or a team needs its person or village joined."""
    app_label, model_name = model.split(".")
    query = {
        "app_label": app_label,
        "model_name": model_name,
        "field_name": field,
        "term": term,
    }
    # session, user, count of the page, the page, session save (3)
    with django_assert_num_queries(7):
        response = superuser_client.get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200
    assert len(response.json()["results"]) > 1


def test_membership_change_into_an_overlap_is_refused_with_the_message(
    superuser_client,
):
    earlier = MembershipFactory(start_date=D(2016, 1, 1), end_date=D(2017, 12, 31))
    later = MembershipFactory(person=earlier.person, end_date=None)
    data = _membership_post(
        later.person,
        later.team,
        later.unit,
        start_date="2017-06-01",
        end_date="",
        proposed_on="2018-05-20",
        reviewed_on="2018-05-25",
        appointed_on="2018-05-30",
    )
    response = superuser_client.post(
        reverse("admin:teams_membership_change", args=[later.pk]), data
    )
    assert response.status_code == 200
    text = response.content.decode()
    village = earlier.team.village.name
    assert (
        f"该干部已在{village}驻村（2016-01-01起），同一时间只能在一个工作队。" in text
    )
    later.refresh_from_db()
    assert later.start_date == D(2018, 6, 1)
    assert not AuditEntry.objects.exists()


def test_person_phone_changes_only_through_the_new_phone_field(superuser_client):
    person = PersonFactory(phone="13812345678")
    url = reverse("admin:teams_person_change", args=[person.pk])
    form = superuser_client.get(url).content.decode()
    assert "13812345678" not in form and "*******5678" in form
    kept = superuser_client.post(url, _person_post(person.unit, "", name=person.name))
    assert kept.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13812345678"
    superuser_client.post(
        url, _person_post(person.unit, "", name=person.name, new_phone="13900001111")
    )
    person.refresh_from_db()
    assert person.phone == "13900001111"
    entry = AuditEntry.objects.filter(model="teams.person", action="update").latest(
        "id"
    )
    assert entry.changes["phone"] == ["*******5678", "*******1111"]
