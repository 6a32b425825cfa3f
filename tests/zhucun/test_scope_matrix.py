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


# --- the admin for every role: add forms, keys, lookups, search -----------------

ALL_ROLES = [("province", lambda w: "510000"), *ROLES]
SYSTEM_APPS = ("auth", "authtoken", "django_celery_beat", "axes")


def _zhucun_admins():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in SYSTEM_APPS:
            yield model, model_admin


def _url(model, view: str, *args) -> str:
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


@pytest.mark.parametrize("role, scope_of", ALL_ROLES)
def test_admin_add_forms_offer_only_keys_in_scope(
    world, scoped_user, client, role, scope_of
):
    from villages.models import Region

    client.force_login(scoped_user(role, scope_of(world["a"])))
    other_regions = {world["b"]["county"].pk, world["b"]["township"].pk}
    forms = 0
    for model, model_admin in _zhucun_admins():
        response = client.get(_url(model, "add"))
        if response.status_code == 403:
            continue  # read-only here for this role
        assert response.status_code == 200, (role, model)
        forms += 1
        form = response.context["adminform"].form
        for name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            offered = set(queryset.values_list("pk", flat=True))
            if queryset.model is Region:
                if role != "province" and name not in model_admin.open_region_fields:
                    assert not offered & other_regions, (role, model, name)
                continue
            if role == "province":
                continue
            others = set(_rows_of_b(world, queryset.model))
            assert not offered & others, (role, model, name)
    # Who may add anything in the admin at all: the county, which manages its
    # data, and the unit, which proposes candidates (teams.add_membership).
    assert bool(forms) == (role in ("county", "unit")), (role, forms)


@pytest.mark.parametrize("role, scope_of", ALL_ROLES)
def test_admin_change_lists_refuse_undeclared_lookups(
    world, scoped_user, client, role, scope_of
):
    client.force_login(scoped_user(role, scope_of(world["a"])))
    checked = 0
    for model, _model_admin in _zhucun_admins():
        url = _url(model, "changelist")
        if client.get(url).status_code != 200:
            continue
        assert client.get(url, {"id__gt": "0"}).status_code == 400, (role, model)
        checked += 1
    assert checked >= 3
    people = _url(world["a"]["member"].person, "changelist")
    for lookup in ("phone__startswith", "id_number__startswith", "birth_date__year"):
        assert client.get(people, {lookup: "1"}).status_code in (400, 403), lookup


@pytest.mark.parametrize("role, scope_of", ALL_ROLES)
def test_admin_search_finds_no_id_number_and_nothing_of_the_other_county(
    world, scoped_user, client, role, scope_of
):
    client.force_login(scoped_user(role, scope_of(world["a"])))
    mine = world["a"]["member"].person
    theirs = world["b"]["member"].person
    people = _url(mine, "changelist")
    if client.get(people).status_code != 200:
        return
    by_id = client.get(people, {"q": mine.id_number})
    assert list(by_id.context["cl"].result_list) == []
    by_name = client.get(people, {"q": theirs.name})
    shown = set(by_name.context["cl"].result_list)
    if role == "province":
        assert theirs in shown
    else:
        assert theirs not in shown


@pytest.mark.parametrize("role, scope_of", ALL_ROLES)
def test_admin_system_models_are_for_superusers_only(
    world, scoped_user, client, role, scope_of
):
    client.force_login(scoped_user(role, scope_of(world["a"])))
    for model, _model_admin in admin.site._registry.items():
        if model._meta.app_label in SYSTEM_APPS:
            assert client.get(_url(model, "changelist")).status_code == 403, model


# --- the user pages for every pair of actor and target ---------------------------

NEW_PASSWORD = "Matrix-pass-2026x"

# Targets: (name, role, scope of the world) and who may change them.
TARGETS = {
    "root": ("superuser", None),
    "t-province": ("province", lambda w: "510000"),
    "t-prefecture": ("prefecture", lambda w: w["a"]["county"].parent.code),
    "t-county-a": ("county", lambda w: w["a"]["county"].code),
    "t-county-b": ("county", lambda w: w["b"]["county"].code),
    "t-township-a": ("township", lambda w: w["a"]["township"].code),
    "t-township-b": ("township", lambda w: w["b"]["township"].code),
    "t-unit": ("unit", lambda w: w["a"]["unit"].name),
    "t-committee": ("committee", lambda w: w["a"]["committee"].name),
}
ACTORS = ["superuser", *(role for role, _ in ALL_ROLES)]


def _may_manage(actor: str, target: str) -> bool | None:
    """True/False for the answer of the form; None where the page itself is refused."""
    if actor == "superuser":
        return True
    if actor == "province":
        return target != "root"
    if actor == "county":
        return target == "t-township-a"
    return None


@pytest.fixture
def accounts(world, scoped_user, django_user_model):
    users = {
        "root": django_user_model.objects.create_superuser(
            "root", "root@example.com", "Root-pass-2026x"
        )
    }
    for name, (role, scope_of) in TARGETS.items():
        if scope_of is not None:
            users[name] = scoped_user(role, scope_of(world), name)
    return users


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("target", list(TARGETS))
def test_user_pages_for_every_actor_and_target(
    world, accounts, scoped_user, django_user_model, client, actor, target
):
    if actor == "superuser":
        user = django_user_model.objects.create_superuser("boss", "", "Boss-2026x-pw")
    else:
        scope_of = dict(ALL_ROLES)[actor]
        user = scoped_user(actor, scope_of(world["a"]), f"actor-{actor}")
    client.force_login(user)
    role, scope_of = TARGETS[target]
    if actor == "county":
        # The only role a county's form offers; the scope its own township.
        role, scope = "township", world["a"]["township"].code
    elif target == "root":
        role, scope = "province", "510000"
    else:
        scope = scope_of(world)
    before = django_user_model.objects.get(username=target)
    response = client.post(
        reverse("user-list"),
        {
            "username": target,
            "full_name": "",
            "role": role,
            "scope": scope,
            "password": NEW_PASSWORD,
        },
    )
    after = django_user_model.objects.get(username=target)
    expected = _may_manage(actor, target)
    if expected is None:
        assert response.status_code == 403, (actor, target)
    elif expected:
        assert response.status_code == 302, (actor, target)
        assert after.check_password(NEW_PASSWORD)
        return
    else:
        assert response.status_code == 200, (actor, target)
        assert "不可用" in response.content.decode()
    assert after.password == before.password
    assert after.is_superuser == before.is_superuser
    assert list(after.groups.all()) == list(before.groups.all())
