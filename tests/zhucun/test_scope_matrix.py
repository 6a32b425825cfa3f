"""The access matrix: a user of another region (or unit) sees none of a county's rows.

It walks every registered API list and detail, every admin changelist, and
fails when a model holding data is reachable without the scoping function.
"""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from rest_framework.test import APIClient

from compliance.services import compliance_refresh
from tests.zhucun.test_access import _county_world
from zhucun.access import scoped_models
from zhucun.api import router

ROLES = [
    ("county", lambda w: w["county"].code),
    ("prefecture", lambda w: w["county"].parent.code),
    ("township", lambda w: w["township"].code),
    ("unit", lambda w: w["unit"].name),
    ("committee", lambda w: w["committee"].name),
]

# Reference data every scoped user may read.
SHARED = {"villages.region", "teams.term", "assessments.trainingevent", "teams.unit"}
# Rows that belong to the user who made them, not to a region (import jobs): the
# user under test made none, so only "none of the other county's" can be checked.
OWN = {"zhucun.importjob"}


@pytest.fixture
def world(db):
    worlds = {
        "a": _county_world("513431", "昭觉"),
        "b": _county_world("511002", "内江市中"),
    }
    # The compliance snapshot of both counties, for /api/v1/compliance/.
    compliance_refresh(as_of=datetime.date(2019, 6, 30))
    return worlds


def _rows_of_b(world, model):
    from tests.zhucun.test_access import _ids_of

    if model._meta.label_lower in SHARED:
        return []
    try:
        return _ids_of(world["b"], model)
    except KeyError:
        return list(
            model.objects.exclude(pk__in=_ids_of(world["a"], model)).values_list(
                "pk", flat=True
            )
        )


def _api_resources():
    for prefix, viewset, basename in router.registry:
        yield prefix, viewset, basename, None


@pytest.mark.parametrize("role, scope_of", ROLES)
def test_api_lists_and_details_hide_the_other_county(
    world, scoped_user, role, scope_of
):
    user = scoped_user(role, scope_of(world["a"]))
    client = APIClient()
    client.force_authenticate(user)
    checked = 0
    for prefix, viewset, _basename, _ in _api_resources():
        model = viewset.queryset.model
        if model._meta.label_lower in SHARED:
            continue
        others = _rows_of_b(world, model)
        listed = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
        assert listed.status_code == 200, prefix
        seen = {row["id"] for row in listed.json()["results"]}
        assert not seen & set(others), f"{role} lists {prefix} rows of the other county"
        if role == "county" and model._meta.label_lower not in OWN:
            assert seen, f"the county sees none of its own {prefix}"
        for pk in others[:3]:
            detail = client.get(f"/api/v1/{prefix}/{pk}/")
            assert detail.status_code == 404, (
                f"{role} reads {prefix}/{pk} of the other county"
            )
            for method in ("put", "patch", "delete"):
                write = getattr(client, method)(
                    f"/api/v1/{prefix}/{pk}/", {}, format="json"
                )
                assert write.status_code in (404, 405), f"{role} {method} {prefix}/{pk}"
        checked += 1
    assert checked >= 5


def test_every_api_viewset_declares_its_model_and_the_model_is_scoped():
    for prefix, viewset, _basename, _ in _api_resources():
        assert viewset.queryset is not None, f"/api/v1/{prefix}/ viewset names no model"
        model = viewset.queryset.model
        assert model._meta.label_lower in scoped_models(), prefix


def test_every_admin_model_is_scoped():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in ("auth", "authtoken", "django_celery_beat", "axes"):
            continue
        assert model._meta.label_lower in scoped_models(), model
        assert "ScopedAdminMixin" in [c.__name__ for c in type(model_admin).__mro__], (
            f"{model.__name__} admin does not scope its queryset"
        )


@pytest.mark.parametrize("role, scope_of", ROLES)
def test_admin_changelists_hide_the_other_county(
    world, scoped_user, client, role, scope_of
):
    user = scoped_user(role, scope_of(world["a"]))
    client.force_login(user)
    for model, _model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if (
            model._meta.app_label in ("auth", "authtoken", "django_celery_beat", "axes")
            or label in SHARED
        ):
            continue
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        response = client.get(url)
        if response.status_code in (302, 403):
            continue  # the role has no view permission on this model at all
        assert response.status_code == 200, (label, response.status_code)
        for pk in _rows_of_b(world, model)[:3]:
            change = client.get(
                reverse(
                    f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                    args=[pk],
                )
            )
            # Django's admin answers a missing object with a redirect to the index + message.
            assert change.status_code in (302, 404), (label, pk, change.status_code)
            if change.status_code == 302:
                assert change["Location"] == reverse("admin:index"), (label, pk)
