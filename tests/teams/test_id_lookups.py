"""Issue 14 (5): a write that names a person by 身份证号码 stays inside the actor's scope.

A number outside the scope gets the answer of a number nobody has: neither the
person's existence nor their placement shows.
"""

import pytest
from rest_framework.test import APIClient

from teams.models import Membership, Person
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    make_id_number,
)
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from villages.models import Region


@pytest.fixture
def zhaojue_team(db):
    township = TownshipFactory(parent=Region.objects.get(code="513431"))
    return TeamFactory(village=VillageFactory(township=township, name="好谷村"))


def _appoint(client, number, team, unit):
    return client.post(
        "/api/v1/memberships/",
        {
            "person_id_number": number,
            "team": team.pk,
            "role": "member",
            "unit": unit.pk,
            "start_date": "2018-06-01",
        },
        format="json",
    )


def test_a_known_out_of_scope_id_and_an_unknown_id_get_byte_identical_answers(
    scoped_user, zhaojue_team
):
    """Before: 「邓佳丹已在开洛村驻村（2021-06-01起）」 for the known one."""
    client = APIClient()
    client.force_authenticate(scoped_user("county", "513431"))
    unit = UnitFactory()
    number = make_id_number("510104")

    unknown = _appoint(client, number, zhaojue_team, unit)
    elsewhere = TeamFactory(
        village=VillageFactory(
            township=TownshipFactory(parent=Region.objects.get(code="511102")),
            name="开洛村",
        )
    )
    cadre = MembershipFactory(
        person__id_number=number,
        person__name="邓佳丹",
        person__unit=UnitFactory(region=Region.objects.get(code="511102")),
        team=elsewhere,
    ).person
    known = _appoint(client, number, zhaojue_team, unit)

    assert unknown.status_code == known.status_code == 400
    assert unknown.content == known.content
    body = known.content.decode()
    assert cadre.name not in body and "开洛村" not in body and number not in body
    assert not Membership.objects.filter(team=zhaojue_team).exists()


def test_the_propose_page_answers_an_out_of_scope_id_as_an_unknown_one(
    client, scoped_user, zhaojue_team
):
    client.force_login(scoped_user("county", "513431"))
    number = make_id_number("510104")
    form = {
        "team": zhaojue_team.pk,
        "id_number": number,
        "role": "member",
        "sector": "other",
        "unit": UnitFactory().pk,
        "start_date": "2018-06-01",
        "proposed_on": "2018-05-01",
    }

    unknown = client.post("/teams/appointments/propose/", form)
    PersonFactory(
        id_number=number,
        name="邓佳丹",
        unit=UnitFactory(region=Region.objects.get(code="510104")),
    )
    known = client.post("/teams/appointments/propose/", form)

    assert unknown.status_code == known.status_code == 400
    assert "派出单位推荐" in known.content.decode()
    assert "邓佳丹" not in known.content.decode()
    assert not Membership.objects.exists()


def _roster(tmp_path, village, number, name="张三"):
    county = village.county
    row = {
        "市（州）": county.parent.name,
        "县（市、区）": county.name,
        "乡（镇）": village.township.name,
        "村": village.name,
        "姓名": name,
        "身份证号码": number,
        "派出单位": "四川省某某厅",
        "驻村职务": "队员",
        "驻村起始时间": "2018-06-01",
    }
    title = "XX县贫困村驻村工作队队员花名册"
    return write_xlsx(tmp_path / "roster.xlsx", table("roster", [row], title=title))


def test_the_roster_import_refuses_a_cadre_of_another_county_neutrally(
    tmp_path, scoped_user, zhaojue_team
):
    """Before: 「该干部2018-01-01起已在开洛村驻村」, and a non-serving one was pulled in."""
    scoped_user("county", "513431", "zhaojue")
    UnitFactory(name="四川省某某厅")
    village = zhaojue_team.village
    serving = make_id_number("511102")
    elsewhere = TeamFactory(
        village=VillageFactory(
            township=TownshipFactory(parent=Region.objects.get(code="511102")),
            name="开洛村",
        )
    )
    MembershipFactory(
        person__id_number=serving,
        person__unit=UnitFactory(region=Region.objects.get(code="511102")),
        team=elsewhere,
    )
    idle = PersonFactory(
        id_number=make_id_number("510104"),
        unit=UnitFactory(region=Region.objects.get(code="510104")),
    )

    answers = []
    for number in (serving, idle.id_number):
        code, output = run(
            "import_xlsx",
            "roster",
            _roster(tmp_path, village, number),
            "--user",
            "zhaojue",
        )
        assert code == 1, output
        answers.append(error_lines(output))

    (first,), (second,) = answers
    assert first[:2] == second[:2] == ("3", "身份证号码")
    assert "派出单位推荐" in first[2] and "开洛村" not in first[2]
    # The same text for both but the number itself, shown masked.
    assert first[2].replace(serving[-4:], "") == second[2].replace(
        idle.id_number[-4:], ""
    )
    assert not Membership.objects.filter(team__village=village).exists()
    assert Person.objects.filter(memberships__isnull=True).get() == idle
