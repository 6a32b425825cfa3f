"""The village list (search, filters, sort, export) and the village page."""

import datetime

import pytest

from tests.assessments.yearly_factories import workbook_rows
from tests.factories import (
    HouseholdFactory,
    MembershipFactory,
    TeamFactory,
    TermFactory,
    TownshipFactory,
    VillageFactory,
)
from tests.workbook_helpers import run
from villages.models import Region

D = datetime.date
ZHAOJUE, LESHAN = "513431", "511102"  # 昭觉县 (Liangshan), 乐山市市中区


@pytest.fixture
def today(settings):
    settings.ZHUCUN_TODAY = D(2019, 6, 1)  # the 2018—2020 term is in post
    return settings.ZHUCUN_TODAY


@pytest.fixture
def clerk(client, scoped_user, today):
    """昭觉县's organisation department, logged in."""
    user = scoped_user("county", ZHAOJUE)
    client.force_login(user)
    return user


def _leshan_village(**fields):
    township = TownshipFactory(parent=Region.objects.get(code=LESHAN))
    return VillageFactory(township=township, **fields)


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:500]
    return [v.name for v in response.context["page"]]


def test_the_list_shows_the_county_s_villages_and_not_another_county_s(
    client, clerk, scoped_user
):
    VillageFactory(name="好谷村")
    VillageFactory(name="洒洛村")
    _leshan_village(name="乐山村")

    assert sorted(_names(client.get("/villages/"))) == ["好谷村", "洒洛村"]

    client.force_login(scoped_user("county", LESHAN))
    body = client.get("/villages/").content.decode()
    assert "好谷村" not in body and "乐山村" in body


def test_a_user_of_another_county_sees_no_row_of_this_one(client, scoped_user, today):
    VillageFactory(name="好谷村")
    client.force_login(scoped_user("county", LESHAN))

    response = client.get("/villages/", {"q": "好谷"})

    assert _names(response) == []
    assert "好谷村" not in response.content.decode()


def test_search_finds_a_village_by_part_of_its_name_or_its_code(client, clerk):
    VillageFactory(name="好谷村", code="513431101001")
    VillageFactory(name="洒洛村")

    assert _names(client.get("/villages/", {"q": "谷"})) == ["好谷村"]
    assert _names(client.get("/villages/", {"q": "5134311010"})) == ["好谷村"]


def test_the_region_filter_takes_a_township_and_everything_under_a_prefecture(
    client, province_user, today
):
    first = TownshipFactory()
    VillageFactory(township=first, name="一乡的村")
    VillageFactory(name="别乡的村")
    _leshan_village(name="乐山村")
    client.force_login(province_user)

    assert _names(client.get("/villages/", {"region": first.code})) == ["一乡的村"]
    liangshan = client.get("/villages/", {"region": "513400"})
    assert sorted(_names(liangshan)) == ["一乡的村", "别乡的村"]


def test_the_flags_filter_poor_extremely_poor_and_liangshan(
    client, province_user, today
):
    VillageFactory(name="极贫村", is_extremely_poor=True)
    VillageFactory(name="非贫困村", is_registered_poor=False)
    _leshan_village(name="乐山村")
    client.force_login(province_user)

    assert _names(client.get("/villages/", {"is_extremely_poor": "true"})) == ["极贫村"]
    assert _names(client.get("/villages/", {"is_registered_poor": "false"})) == [
        "非贫困村"
    ]
    assert _names(client.get("/villages/", {"liangshan": "false"})) == ["乐山村"]
    assert sorted(_names(client.get("/villages/", {"liangshan": "true"}))) == [
        "极贫村",
        "非贫困村",
    ]


def test_sorting_by_a_whitelisted_column_both_ways(client, clerk):
    VillageFactory(name="甲村", household_count=300)
    VillageFactory(name="乙村", household_count=100)
    VillageFactory(name="丙村", household_count=200)

    assert _names(client.get("/villages/", {"sort": "households"})) == [
        "乙村",
        "丙村",
        "甲村",
    ]
    assert _names(client.get("/villages/", {"sort": "-households"})) == [
        "甲村",
        "丙村",
        "乙村",
    ]


def test_a_sort_or_region_not_offered_is_refused_with_a_message(client, clerk):
    VillageFactory(name="好谷村")

    response = client.get("/villages/", {"sort": "township__path"})
    assert response.status_code == 400
    assert list(response.context["page"]) == []
    assert response.context["errors"]

    # An unknown region answers as one outside the scope: 404.
    assert client.get("/villages/", {"region": "999999"}).status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(
    client, clerk, django_assert_num_queries
):
    def add(n):
        for _ in range(n):
            TeamFactory(village=VillageFactory())

    add(3)
    with django_assert_num_queries(12):
        client.get("/villages/", {"sort": "name"})
    add(3)
    with django_assert_num_queries(12):
        response = client.get("/villages/", {"sort": "name"})
    assert len(response.context["page"]) == 6
    assert all(v.team_in_post for v in response.context["page"])


def test_the_export_holds_the_filtered_rows_and_imports_back_unchanged(
    client, clerk, tmp_path
):
    township = TownshipFactory(name="新乡")
    VillageFactory(
        township=township,
        name="一村",
        code="513431101001",
        is_extremely_poor=True,
        planned_exit_year=2019,
        county_leader="李四",
    )
    VillageFactory(township=township, name="二村", is_extremely_poor=True)
    VillageFactory(township=township, name="三村")

    response = client.get("/villages/", {"is_extremely_poor": "true", "format": "xlsx"})

    rows = workbook_rows(response)
    flat = [str(v) for row in rows for v in row]
    assert "一村" in flat and "二村" in flat and "三村" not in flat
    assert "村代码" in flat  # the import layout's header
    path = tmp_path / "villages.xlsx"
    path.write_bytes(response.content)
    code, output = run("import_xlsx", "villages", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=2 rejected=0" in output


def test_the_export_of_another_county_holds_none_of_this_one(
    client, scoped_user, today
):
    VillageFactory(name="好谷村")
    client.force_login(scoped_user("county", LESHAN))

    rows = workbook_rows(client.get("/villages/", {"format": "xlsx"}))

    assert "好谷村" not in [str(v) for row in rows for v in row]


def test_the_village_page_shows_its_place_households_and_teams(client, clerk):
    village = VillageFactory(name="好谷村", household_count=150)
    HouseholdFactory(village=village, is_party_member_family=True)
    HouseholdFactory(village=village)
    past = TeamFactory(
        village=village,
        term=TermFactory(
            name="2015—2017年驻村期",
            start_date=D(2015, 6, 1),
            end_date=D(2017, 5, 31),
            in_post_deadline=D(2015, 6, 30),
        ),
    )
    current = TeamFactory(village=village)
    MembershipFactory(team=current)
    MembershipFactory(team=current)

    response = client.get(f"/villages/{village.pk}/")

    assert response.status_code == 200
    assert response.context["households"] == {"recorded": 2, "priority": 1}
    teams = response.context["teams"]
    assert [(t.pk, is_current) for t, _url, is_current in teams] == [
        (current.pk, True),
        (past.pk, False),
    ]
    assert teams[0][0].members_now == 2
    body = response.content.decode()
    assert "昭觉县" in body and village.township.name in body and "150" in body
    assert f"/teams/{current.pk}/" in body  # the team page (or its compliance page)


def test_the_village_page_of_another_county_is_404(client, scoped_user, today):
    village = VillageFactory()
    client.force_login(scoped_user("county", LESHAN))

    assert client.get(f"/villages/{village.pk}/").status_code == 404


def test_the_village_page_reads_in_a_fixed_number_of_queries(
    client, clerk, django_assert_num_queries
):
    village = VillageFactory()

    def add_team(year):
        term = TermFactory(
            name=f"{year}年驻村期",
            start_date=D(year, 1, 1),
            end_date=D(year, 12, 31),
            in_post_deadline=D(year, 1, 31),
        )
        MembershipFactory(team=TeamFactory(village=village, term=term))

    add_team(2010)
    with django_assert_num_queries(12):
        client.get(f"/villages/{village.pk}/")
    add_team(2011)
    add_team(2012)
    with django_assert_num_queries(12):
        response = client.get(f"/villages/{village.pk}/")
    assert len(response.context["teams"]) == 3


def test_the_navigation_links_to_the_village_list(client, clerk):
    body = client.get("/villages/").content.decode()
    assert 'href="/villages/" aria-current="page"' in body


def test_the_region_select_offers_the_county_s_townships_only(client, clerk):
    mine = TownshipFactory(name="本县乡")
    TownshipFactory(name="外县乡", parent=Region.objects.get(code=LESHAN))

    response = client.get("/villages/", {"region": mine.code})

    offered = {choice.code for choice in response.context["regions"]}
    assert offered == {ZHAOJUE, mine.code}
    body = response.content.decode()
    assert f'<option value="{mine.code}" selected>' in body and "外县乡" not in body
