"""Personal data: masked in logs; revealing a full number needs the right and is audited."""

import logging

import pytest
from django.core.exceptions import PermissionDenied

from accounts.services import user_provision
from teams.services import person_reveal_personal_data
from tests.factories import MembershipFactory
from zhucun.log_redaction import redact
from zhucun.models import AuditEntry


def test_redact_masks_ids_phones_and_secrets():
    line = (
        "import row 5: id=51343119850312123X phone 13812345678 "
        "password=Secret123 sessionid=abcdef token: 9f8e7d"
    )
    cleaned = redact(line)
    assert "51343119850312123X" not in cleaned and "**************123X" in cleaned
    assert "13812345678" not in cleaned and "*******5678" in cleaned
    for secret in ("Secret123", "abcdef", "9f8e7d"):
        assert secret not in cleaned


def test_redact_leaves_ordinary_numbers_alone():
    assert redact("513431 昭觉县 2019 年 20 天 code 510104001") == (
        "513431 昭觉县 2019 年 20 天 code 510104001"
    )


def test_every_log_record_is_created_already_redacted(caplog):
    """Whichever handler takes it (console, Celery, pytest), the record holds no full number."""
    logging.getLogger("zhucun.test").warning(
        "person %s phone %s", "51343119850312123X", "13812345678"
    )
    (record,) = caplog.records
    assert record.getMessage() == "person **************123X phone *******5678"
    assert "51343119850312123X" not in caplog.text


@pytest.fixture
def member(db):
    return MembershipFactory(person__phone="13812345678")


def test_reveal_needs_the_right(member):
    township_user, _ = user_provision(
        username="tw", role="township", scope=member.team.village.township.code
    )
    with pytest.raises(PermissionDenied):
        person_reveal_personal_data(user=township_user, person=member.person)
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_reveal_returns_the_numbers_and_is_audited(member):
    county_user, _ = user_provision(
        username="clerk", role="county", scope=member.team.village.county.code
    )
    revealed = person_reveal_personal_data(
        user=county_user, person=member.person, reason="核对花名册"
    )
    assert revealed == {
        "id_number": member.person.id_number,
        "phone": "13812345678",
        "birth_date": member.person.birth_date,
    }
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.actor == county_user and entry.object_id == str(member.person.pk)
    assert entry.county_code == member.team.village.county.code
    assert member.person.id_number not in str(entry.changes)


def test_api_masks_by_default_and_reveal_is_audited(member, scoped_user):
    from rest_framework.test import APIClient

    county = scoped_user("county", member.team.village.county.code)
    client = APIClient()
    client.force_authenticate(county)
    row = client.get(f"/api/v1/people/{member.person.pk}/").json()
    assert row["id_number"] == "*" * 14 + member.person.id_number[-4:]
    assert row["phone"] == "*******5678"
    listed = client.get("/api/v1/people/").content.decode()
    assert member.person.id_number not in listed and "13812345678" not in listed

    revealed = client.post(
        f"/api/v1/people/{member.person.pk}/reveal/", {"reason": "核对"}, format="json"
    )
    assert revealed.status_code == 200
    assert revealed.json() == {
        "id_number": member.person.id_number,
        "phone": "13812345678",
        "birth_date": member.person.birth_date.isoformat(),
    }
    assert AuditEntry.objects.filter(action="reveal", actor=county).count() == 1


def test_api_reveal_refused_without_the_right_and_404_outside_scope(
    member, scoped_user
):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(
        scoped_user("township", member.team.village.township.code)
    )
    assert client.post(f"/api/v1/people/{member.person.pk}/reveal/").status_code == 403
    client.force_authenticate(scoped_user("county", "510104"))
    assert client.post(f"/api/v1/people/{member.person.pk}/reveal/").status_code == 404
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_admin_reveal_is_a_post_that_is_audited(member, scoped_user, client):
    from django.urls import reverse

    county = scoped_user("county", member.team.village.county.code)
    client.force_login(county)
    change = client.get(reverse("admin:teams_person_change", args=[member.person.pk]))
    page = change.content.decode()
    assert member.person.id_number not in page and "13812345678" not in page
    assert "查看完整号码" in page
    url = reverse("admin:teams_person_reveal", args=[member.person.pk])
    assert client.get(url).status_code == 405
    shown = client.post(url, {"reason": "核对"}).content.decode()
    assert member.person.id_number in shown and "13812345678" in shown
    assert AuditEntry.objects.filter(action="reveal", actor=county).count() == 1


def test_admin_reveal_outside_scope_is_404(member, scoped_user, client):
    from django.urls import reverse

    client.force_login(scoped_user("county", "510104"))
    url = reverse("admin:teams_person_reveal", args=[member.person.pk])
    assert client.post(url).status_code == 404


def test_the_masked_api_answer_hides_the_birth_date_with_the_number(
    member, scoped_user
):
    """Issue 14 (3): 5134**********5032 beside a clear birth_date hid only 2 digits."""
    from rest_framework.test import APIClient

    number = member.person.id_number
    client = APIClient()
    client.force_authenticate(scoped_user("county", member.team.village.county.code))
    for url in (f"/api/v1/people/{member.person.pk}/", "/api/v1/people/"):
        body = client.get(url).content.decode()
        assert number[6:14] not in body and number[:4] not in body
        assert "birth_date" not in body


def test_an_export_reveal_is_audited_with_its_county_and_address(
    member, scoped_user, client
):
    """Issue 14 (7): the export's reveal entry carried neither county nor IP."""
    county = scoped_user("county", member.team.village.county.code)
    client.force_login(county)
    response = client.get("/teams/people/", {"format": "xlsx"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="reveal", source="export")
    assert entry.county_code == member.team.village.county.code
    assert entry.ip_address == "10.1.2.3"
