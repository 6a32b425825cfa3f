"""The menu offers each role only the pages it may open (zhucun.context_processors)."""

from django.urls import reverse

from tests.factories import MembershipFactory


def test_a_unit_has_no_desk_and_is_offered_the_export_alone(client, scoped_user):
    unit = MembershipFactory().unit
    client.force_login(scoped_user("unit", unit.name, "unit-user"))

    body = client.get(reverse("home"), {"stay": 1}).content.decode()

    assert f'href="{reverse("dashboards:index")}"' not in body
    assert f'href="{reverse("workbooks:import-start")}"' not in body
    assert f'href="{reverse("workbooks:export")}"' in body
    assert client.get(reverse("workbooks:import-start")).status_code == 403


def test_the_province_reads_and_exports_but_imports_nothing(client, province_user):
    client.force_login(province_user)

    body = client.get(reverse("home"), {"stay": 1}).content.decode()

    assert f'href="{reverse("dashboards:index")}"' in body
    assert f'href="{reverse("workbooks:import-start")}"' not in body
    assert f'href="{reverse("workbooks:export")}"' in body


def test_a_county_has_its_desk_and_the_imports(client, scoped_user):
    client.force_login(scoped_user("county", "513431"))

    body = client.get(reverse("home"), {"stay": 1}).content.decode()

    assert f'href="{reverse("dashboards:index")}"' in body
    assert f'href="{reverse("workbooks:import-start")}"' in body
