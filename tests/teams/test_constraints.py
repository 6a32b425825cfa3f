"""Bad input is refused by the service that writes and by the database itself."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from teams.models import Membership, Person
from teams.services import membership_create, person_create, team_create
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TermFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    make_id_number,
)
from villages.models import Region, Village
from villages.services import village_create

D = datetime.date


def test_person_with_wrong_check_digit_is_refused_with_a_chinese_message(db):
    unit = UnitFactory()
    good = make_id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        person_create(id_number=bad, name="张三", unit=unit)
    assert "校验位" in excinfo.value.message_dict["id_number"][0]
    assert not Person.objects.exists()


def test_person_create_derives_birth_date_and_gender_and_normalises_x(db):
    person = person_create(id_number="11010519491231002x", name="李四")
    assert person.id_number == "11010519491231002X"
    assert person.birth_date == D(1949, 12, 31) and person.gender == "F"


def test_database_refuses_a_malformed_id_number(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.bulk_create(
            [
                Person(
                    id_number="5134311985031200",
                    name="王五",
                    gender="M",
                    birth_date=D(1985, 3, 12),
                )
            ]
        )


def test_village_under_a_county_is_refused(db):
    county = Region.objects.get(code="513431")
    with pytest.raises(ValidationError) as excinfo:
        village_create(township=county, name="错误村")
    assert "乡（镇）" in excinfo.value.message_dict["township"][0]
    assert not Village.objects.exists()


def test_village_create_sets_its_county_from_the_township(db):
    township = TownshipFactory()
    village = village_create(township=township, name="新村", household_count=80)
    assert village.county == township.parent


def _second_team():
    return TeamFactory(village=VillageFactory())


def test_overlapping_membership_is_refused_by_the_service(db):
    first = MembershipFactory()
    other = _second_team()
    with pytest.raises(ValidationError) as excinfo:
        membership_create(
            person=first.person,
            team=other,
            role=Membership.Role.MEMBER,
            unit=first.unit,
            start_date=D(2019, 1, 1),
        )
    assert "同一时间只能在一个工作队" in excinfo.value.message_dict["person"][0]
    assert Membership.objects.count() == 1


def test_overlapping_membership_is_refused_by_the_database(db):
    first = MembershipFactory(end_date=D(2020, 5, 31))
    other = _second_team()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.bulk_create(
            [
                Membership(
                    person=first.person,
                    team=other,
                    role=Membership.Role.MEMBER,
                    unit=first.unit,
                    start_date=D(2020, 5, 1),
                    end_date=D(2020, 12, 31),
                )
            ]
        )


def test_two_open_memberships_of_one_person_are_refused_by_the_database(db):
    first = MembershipFactory(end_date=None)
    other = _second_team()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.bulk_create(
            [
                Membership(
                    person=first.person,
                    team=other,
                    role=Membership.Role.MEMBER,
                    unit=first.unit,
                    start_date=D(2030, 1, 1),
                )
            ]
        )


def test_consecutive_memberships_are_allowed(db):
    first = MembershipFactory(end_date=D(2020, 5, 31))
    term2 = TermFactory(
        name="2021—2022年驻村期",
        start_date=D(2021, 6, 1),
        end_date=D(2023, 5, 31),
        in_post_deadline=D(2021, 6, 30),
    )
    later = membership_create(
        person=first.person,
        team=TeamFactory(term=term2),
        role=Membership.Role.MEMBER,
        unit=first.unit,
        start_date=D(2021, 6, 1),
    )
    assert later.pk and Membership.objects.filter(person=first.person).count() == 2


def test_second_active_first_secretary_is_refused_by_service_and_database(db):
    secretary = MembershipFactory(role=Membership.Role.FIRST_SECRETARY)
    newcomer = PersonFactory()
    with pytest.raises(ValidationError) as excinfo:
        membership_create(
            person=newcomer,
            team=secretary.team,
            role=Membership.Role.FIRST_SECRETARY,
            unit=newcomer.unit,
            start_date=D(2019, 3, 1),
        )
    assert "第一书记" in excinfo.value.message_dict["role"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.bulk_create(
            [
                Membership(
                    person=newcomer,
                    team=secretary.team,
                    role=Membership.Role.FIRST_SECRETARY,
                    unit=newcomer.unit,
                    start_date=D(2019, 3, 1),
                    end_date=D(2019, 12, 31),
                )
            ]
        )


def test_liangshan_team_refuses_an_eighth_member_saying_count_and_limit(db, zhaojue):
    team = TeamFactory(village=VillageFactory(township=TownshipFactory(parent=zhaojue)))
    for _ in range(7):
        MembershipFactory(team=team)
    person = PersonFactory()
    with pytest.raises(ValidationError) as excinfo:
        membership_create(
            person=person,
            team=team,
            role=Membership.Role.MEMBER,
            unit=person.unit,
            start_date=D(2019, 1, 1),
        )
    message = excinfo.value.message_dict["team"][0]
    assert "最多7人" in message and "在2019-01-01将有8人" in message


def test_team_create_refuses_a_second_team_for_the_same_village_and_term(db):
    team = TeamFactory()
    with pytest.raises(ValidationError):
        team_create(village=team.village, term=team.term)
