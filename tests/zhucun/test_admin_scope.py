"""The admin pages scoped roles keep: every foreign key in scope, writes by the services.

Issue 14, point 4: as 昭觉县, a 布拖县 township posted on a village's change
form moved the village (and its team and households) into 布拖县; villages
were created in other counties and units moved; a ¥500 spending went against
a ¥100 fund and a locked month was edited from 20 to 3 in-post days.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance.models import AttendanceSubmission, MonthlyAttendance
from funding.models import Fund, Spending
from teams.models import Pairing, Unit
from tests.factories import (
    MembershipFactory,
    TeamFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
)
from villages.models import Region, Village
from zhucun.models import AuditEntry

D = datetime.date
ZHAOJUE = "513431"  # 昭觉县
BUTUO = "513429"  # 布拖县, its neighbour in 凉山州
JINJIANG = "510104"  # 锦江区, 成都市


def form_data(response) -> dict:
    """The POST a browser sends back for the admin form of ``response`` unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


@pytest.fixture
def zhaojue_village(db):
    county = Region.objects.get(code=ZHAOJUE)
    return VillageFactory(
        name="昭觉村", township=TownshipFactory(parent=county), county=county
    )


@pytest.fixture
def butuo_township(db):
    return TownshipFactory(parent=Region.objects.get(code=BUTUO), name="布拖乡")


@pytest.fixture
def county_client(client, scoped_user):
    user = scoped_user("county", ZHAOJUE)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "kezhang", "kezhang@example.com", "an-unguessable-pass"
    )
    client.force_login(user)
    return client


def test_county_cannot_move_a_village_into_another_county(
    county_client, zhaojue_village, butuo_township
):
    url = reverse("admin:villages_village_change", args=[zhaojue_village.pk])
    data = form_data(county_client.get(url))
    data["township"] = str(butuo_township.pk)
    response = county_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["township"]
    zhaojue_village.refresh_from_db()
    assert zhaojue_village.county.code == ZHAOJUE
    assert not AuditEntry.objects.filter(model="villages.village").exists()


def test_county_cannot_create_a_village_in_another_county(
    county_client, butuo_township
):
    response = county_client.post(
        reverse("admin:villages_village_add"),
        {"township": butuo_township.pk, "name": "越界村", "household_count": "10"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["township"]
    assert not Village.objects.filter(name="越界村").exists()


def test_county_township_choices_are_its_own(
    county_client, zhaojue_village, butuo_township
):
    response = county_client.get(reverse("admin:villages_village_add"))
    choices = response.context["adminform"].form.fields["township"].queryset
    assert zhaojue_village.township in choices
    assert butuo_township not in choices
    zhaojue = Region.objects.get(code=ZHAOJUE).path
    assert all(region.path.startswith(zhaojue) for region in choices)


def test_county_cannot_add_a_township_to_another_county(county_client):
    response = county_client.post(
        reverse("admin:villages_region_add"),
        {
            "parent": Region.objects.get(code=BUTUO).pk,
            "code": "513429999",
            "name": "新乡",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    assert not Region.objects.filter(code="513429999").exists()


def test_county_cannot_move_its_unit_out_of_the_county(county_client, db):
    unit = UnitFactory(name="昭觉县农业局", region=Region.objects.get(code=ZHAOJUE))
    url = reverse("admin:teams_unit_change", args=[unit.pk])
    data = form_data(county_client.get(url))
    data["region"] = str(Region.objects.get(code=BUTUO).pk)
    response = county_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["region"]
    unit.refresh_from_db()
    assert unit.region.code == ZHAOJUE


def test_county_cannot_change_another_countys_unit(county_client, db):
    unit = UnitFactory(name="布拖县农业局", region=Region.objects.get(code=BUTUO))
    url = reverse("admin:teams_unit_change", args=[unit.pk])
    # The shared directory is readable, not writable: the form is view-only.
    page = county_client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    response = county_client.post(url, {"name": "改名", "region": unit.region.pk})
    assert response.status_code == 403
    unit.refresh_from_db()
    assert unit.name == "布拖县农业局"


def test_county_unit_change_goes_through_unit_update(county_client, db):
    unit = UnitFactory(name="昭觉县农业局", region=Region.objects.get(code=ZHAOJUE))
    url = reverse("admin:teams_unit_change", args=[unit.pk])
    data = {**form_data(county_client.get(url)), "staff_count": "42"}
    assert county_client.post(url, data).status_code == 302
    assert Unit.objects.get(pk=unit.pk).staff_count == 42
    entry = AuditEntry.objects.get(model="teams.unit", action="update")
    assert entry.changes["staff_count"][1] == 42 and entry.county_code == ZHAOJUE


def test_county_cannot_pair_two_other_counties(county_client):
    response = county_client.post(
        reverse("admin:teams_pairing_add"),
        {
            "assisting_county": Region.objects.get(code=JINJIANG).pk,
            "assisted_county": Region.objects.get(code=BUTUO).pk,
        },
    )
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Pairing.objects.exists()


def test_county_pairs_another_county_with_its_own(county_client):
    response = county_client.post(
        reverse("admin:teams_pairing_add"),
        {
            "assisting_county": Region.objects.get(code=JINJIANG).pk,
            "assisted_county": Region.objects.get(code=ZHAOJUE).pk,
        },
    )
    assert response.status_code == 302
    assert Pairing.objects.get().assisted_county.code == ZHAOJUE


@pytest.fixture
def small_fund(zhaojue_village):
    team = TeamFactory(village=zhaojue_village)
    return Fund.objects.create(
        team=team, year=2019, amount=Decimal("100"), source="county"
    )


@pytest.mark.parametrize("who", ["county", "superuser"])
def test_spending_cannot_exceed_its_fund(
    request, small_fund, county_client, superuser_client, who
):
    client = county_client if who == "county" else superuser_client
    response = client.post(
        reverse("admin:funding_spending_add"),
        {
            "fund": small_fund.pk,
            "spent_on": "2019-05-01",
            "amount": "500",
            "purpose": "办公用品",
        },
    )
    assert response.status_code == 200
    assert "超出该笔经费余额" in response.content.decode()
    assert not Spending.objects.exists()


def test_spending_inline_cannot_exceed_its_fund(superuser_client, small_fund):
    url = reverse("admin:funding_fund_change", args=[small_fund.pk])
    data = form_data(superuser_client.get(url))
    data.update(
        {
            "spendings-TOTAL_FORMS": "1",
            "spendings-0-spent_on": "2019-05-01",
            "spendings-0-amount": "500",
            "spendings-0-purpose": "办公用品",
            "spendings-0-fund": str(small_fund.pk),
        }
    )
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "超出该笔经费余额" in response.content.decode()
    assert not Spending.objects.exists()


def test_spending_within_the_fund_is_added_by_spending_create(
    county_client, small_fund
):
    response = county_client.post(
        reverse("admin:funding_spending_add"),
        {
            "fund": small_fund.pk,
            "spent_on": "2019-05-01",
            "amount": "60",
            "purpose": "办公用品",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(model="funding.spending")
    assert entry.actor == county_client.user and entry.county_code == ZHAOJUE


@pytest.mark.parametrize("who", ["county", "superuser"])
def test_a_locked_month_cannot_be_edited_from_the_admin(
    zhaojue_village, county_client, superuser_client, who
):
    client = county_client if who == "county" else superuser_client
    membership = MembershipFactory(team=TeamFactory(village=zhaojue_village))
    row = MonthlyAttendance.objects.create(
        membership=membership, month=D(2019, 1, 1), in_post_days=20
    )
    AttendanceSubmission.objects.create(
        township=zhaojue_village.township, month=D(2019, 1, 1)
    )
    url = reverse("admin:attendance_monthlyattendance_change", args=[row.pk])
    response = client.post(
        url,
        {
            "membership": membership.pk,
            "month": "2019-01-01",
            "in_post_days": "3",
            "leave_days": "0",
            "trip_days": "0",
        },
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.in_post_days == 20


def test_models_without_a_service_are_read_only_for_scoped_roles(
    county_client, zhaojue_village
):
    # The county holds add_leadermeeting, but meetings are recorded on the
    # county's page (leader_meeting_create), which checks the attendees.
    response = county_client.get(reverse("admin:attendance_leadermeeting_add"))
    assert response.status_code == 403


def test_scoped_roles_cannot_write_appointment_steps_in_the_admin(
    county_client, zhaojue_village
):
    membership = MembershipFactory(team=TeamFactory(village=zhaojue_village))
    url = reverse("admin:teams_membership_change", args=[membership.pk])
    data = form_data(county_client.get(url))
    assert "filed_on" not in data  # shown read-only, not a form field
    data["filed_on"] = "2019-01-01"
    assert county_client.post(url, data).status_code == 302
    membership.refresh_from_db()
    assert membership.filed_on is None


def test_township_autocomplete_offers_the_countys_own(
    county_client, zhaojue_village, butuo_township
):
    query = {
        "app_label": "villages",
        "model_name": "village",
        "field_name": "township",
        "term": "",
    }
    response = county_client.get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200
    offered = {int(row["id"]) for row in response.json()["results"]}
    assert zhaojue_village.township_id in offered
    assert butuo_township.pk not in offered
