"""Membership writes through the API: appointment, the steps of 二(四), unfit and replacement."""

import datetime

import pytest
from rest_framework.test import APIClient

from teams.models import Membership
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    WorkCommitteeFactory,
)
from villages.models import Region
from zhucun.models import AuditEntry

pytestmark = pytest.mark.django_db
D = datetime.date


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def zhaojue_team(db):
    county = Region.objects.get(code="513431")
    return TeamFactory(village=VillageFactory(township=TownshipFactory(parent=county)))


def test_a_county_cannot_pull_in_another_countys_cadre_with_one_call(
    scoped_user, zhaojue_team
):
    """Issue 14 (5): a cadre outside the county's scope joins through the unit's proposal."""
    provincial = UnitFactory(
        level="provincial_dept", region=Region.objects.get(code="510100")
    )
    cadre = PersonFactory(
        unit=provincial
    )  # serves nowhere yet: not in the county's scope
    client = _client(scoped_user("county", "513431"))
    response = client.post(
        "/api/v1/memberships/",
        {
            "person_id_number": cadre.id_number,
            "team": zhaojue_team.pk,
            "role": "member",
            "unit": provincial.pk,
            "start_date": "2018-06-01",
        },
        format="json",
    )
    assert response.status_code == 400
    (message,) = response.json()["fields"]["person_id_number"]
    assert "派出单位推荐" in message and cadre.name not in message
    assert not Membership.objects.filter(person=cadre).exists()
    assert client.get(f"/api/v1/people/{cadre.pk}/").status_code == 404
    assert client.post(f"/api/v1/people/{cadre.pk}/reveal/").status_code == 404


def test_appointing_into_another_countys_team_is_a_field_error(
    scoped_user, zhaojue_team
):
    person = PersonFactory()
    client = _client(scoped_user("county", "510104"))
    response = client.post(
        "/api/v1/memberships/",
        {
            "person_id_number": person.id_number,
            "team": zhaojue_team.pk,
            "role": "member",
            "unit": person.unit.pk,
            "start_date": "2018-06-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.json()["fields"]["team"][0]
    assert not Membership.objects.exists()


def test_liangshan_cap_refused_through_the_api_with_count_and_limit(
    scoped_user, zhaojue_team
):
    for _ in range(7):
        MembershipFactory(team=zhaojue_team)
    person = PersonFactory()
    response = _client(scoped_user("county", "513431")).post(
        "/api/v1/memberships/",
        {
            "person_id_number": person.id_number,
            "team": zhaojue_team.pk,
            "role": "member",
            "unit": person.unit.pk,
            "start_date": "2019-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "最多7人" in response.json()["fields"]["team"][0]
    assert "在2019-01-01将有8人" in response.json()["fields"]["team"][0]


def test_township_staff_cannot_appoint(scoped_user, zhaojue_team):
    person = PersonFactory()
    client = _client(scoped_user("township", zhaojue_team.village.township.code))
    response = client.post(
        "/api/v1/memberships/",
        {
            "person": person.pk,
            "team": zhaojue_team.pk,
            "role": "member",
            "unit": person.unit.pk,
            "start_date": "2019-01-01",
        },
        format="json",
    )
    assert response.status_code == 403


@pytest.fixture
def proposal(zhaojue_team):
    committee = WorkCommitteeFactory(name="凉山州直机关工委")
    unit = UnitFactory(work_committee=committee)
    return MembershipFactory(
        team=zhaojue_team,
        unit=unit,
        person__unit=unit,
        proposed_on=D(2018, 5, 20),
        reviewed_on=None,
        appointed_on=None,
    )


def _step(client, membership, step, on="2018-05-28"):
    return client.post(
        f"/api/v1/memberships/{membership.pk}/steps/",
        {"step": step, "on": on},
        format="json",
    )


def test_steps_go_in_order_each_by_its_own_role(scoped_user, proposal):
    county = _client(scoped_user("county", "513431"))
    committee = _client(scoped_user("committee", proposal.unit.work_committee.name))

    early = _step(county, proposal, "appoint")
    assert early.status_code == 400
    assert "须先完成“机关工委审核”" in early.json()["fields"]["step"][0]
    assert _step(county, proposal, "review").status_code == 403

    assert _step(committee, proposal, "review").status_code == 200
    appointed = _step(county, proposal, "appoint", on="2018-05-30")
    assert appointed.status_code == 200
    assert appointed.json()["is_appointed"] is True
    assert _step(committee, proposal, "file", on="2018-06-05").status_code == 200
    proposal.refresh_from_db()
    assert (proposal.reviewed_on, proposal.appointed_on, proposal.filed_on) == (
        D(2018, 5, 28),
        D(2018, 5, 30),
        D(2018, 6, 5),
    )
    assert (
        AuditEntry.objects.filter(
            model="teams.membership", object_id=str(proposal.pk), action="update"
        ).count()
        == 3
    )


def test_a_step_dated_before_the_previous_one_is_refused(scoped_user, proposal):
    committee = _client(scoped_user("committee", proposal.unit.work_committee.name))
    response = _step(committee, proposal, "review", on="2018-05-01")
    assert response.status_code == 400
    assert "不能早于" in response.json()["fields"]["on"][0]


def test_steps_on_another_countys_membership_are_404(scoped_user, proposal):
    response = _step(_client(scoped_user("county", "510104")), proposal, "appoint")
    assert response.status_code == 404


def test_unfit_member_replaced_by_the_unit(scoped_user, zhaojue_team):
    old = MembershipFactory(team=zhaojue_team, end_date=D(2020, 5, 31))
    county = _client(scoped_user("county", "513431"))
    marked = county.post(
        f"/api/v1/memberships/{old.pk}/mark-unfit/",
        {"on": "2019-03-01", "deadline": "2019-04-01"},
        format="json",
    )
    assert marked.status_code == 200
    newcomer = PersonFactory(unit=old.unit)
    replaced = county.post(
        f"/api/v1/memberships/{old.pk}/replace/",
        {
            "person_id_number": newcomer.id_number,
            "unit": old.unit.pk,
            "start_date": "2019-03-20",
        },
        format="json",
    )
    assert replaced.status_code == 201, replaced.json()
    old.refresh_from_db()
    assert old.end_date == D(2019, 3, 19)
    assert old.replaced_by.person == newcomer
    assert old.replaced_by.start_date == D(2019, 3, 20)
