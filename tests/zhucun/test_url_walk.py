"""Walk every URL pattern as a clerk of another county: none may show that county's data.

A page added later without the scoping function fails here, without anyone having
to remember to write its negative test. The admin and the API have their own
walks in test_scope_matrix.py.
"""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from teams.models import Person, Unit
from tests.zhucun.test_access import _county_world
from villages.models import Village

SKIP_PREFIXES = ("admin/", "api/v1/", "static/", "logout/", "__debug__/")
MARKERS = ("乙县专用村", "乙县干部")  # the unit directory is shared (access.py)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _fill(route: str, pk: int) -> str:
    return "/" + re.sub(r"<(?:(?:int|str|path|slug):)?[a-z_]+>", str(pk), route).lstrip(
        "^"
    ).rstrip("$")


@pytest.fixture
def other_county(db):
    _county_world("513431", "昭觉")
    b = _county_world("511002", "内江市中")
    Village.objects.filter(pk=b["village"].pk).update(name="乙县专用村")
    Person.objects.filter(memberships__team=b["team"]).update(name="乙县干部")
    Unit.objects.filter(pk=b["unit"].pk).update(name="乙县派出单位")
    return b


def test_no_page_shows_another_countys_data(client, scoped_user, other_county):
    client.force_login(scoped_user("county", "513431"))
    pks = {
        other_county[key].pk
        for key in ("village", "team", "unit", "township", "secretary", "member")
    } | {other_county["member"].person.pk}
    walked = 0
    for route, _pattern in _patterns():
        if route.startswith(SKIP_PREFIXES):
            continue
        urls = (
            [_fill(route, pk) for pk in sorted(pks)] if "<" in route else ["/" + route]
        )
        for url in dict.fromkeys(urls):
            response = client.get(url)
            assert response.status_code in (200, 302, 400, 403, 404, 405), (
                url,
                response.status_code,
            )
            body = (
                response.content.decode(errors="ignore")
                if response.status_code == 200
                else ""
            )
            for marker in MARKERS:
                assert marker not in body, f"{url} shows {marker} of another county"
            walked += 1
    assert walked >= 5


def test_the_walk_would_catch_a_leak(client, province_user, other_county):
    """The markers are really rendered somewhere when the user may see them."""
    client.force_login(province_user)
    body = client.get("/admin/villages/village/").content.decode()
    assert "乙县专用村" in body


# --- region-like query parameters naming another county: 404 or ignored ----------
#
# Every page, export and API list, as each of the six roles, with each parameter
# that names a place or a row set to another county's: the answer is 404 (as the
# other county's path is), or exactly what the page shows without the parameter
# (a page that does not read it). Never a page narrowed to zeros: that is the
# false all-clear of /compliance/?region=510100 for 凉山州.
#
# The parameters come from every StrictFilterSet (RegionFilter and IdFilter to a
# scoped model), so a filter added later is walked without anyone listing it,
# plus the pages' own region parameters.

PAGE_REGION_PARAMS = {"region", "county", "township", "prefecture"}
PAGE_ID_PARAMS = {"team": "teams.team"}
WALK_ROLES = ["province", "prefecture", "county", "township", "unit", "committee"]
SKIP_WALK = ("admin/", "static/", "logout/", "__debug__/", "api/docs", "api/schema")
DYNAMIC = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), ""),
    (re.compile(r'nonce="[^"]*"'), ""),
    (re.compile(r"csrftoken=[^;\"]*"), ""),
    # Links that carry the query string on (export, pages, sort) echo it.
    (re.compile(r"\?[^\"'<>\s]*"), ""),
]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _query_params() -> tuple[set[str], dict[str, str]]:
    """Region-code and row-id parameters of every filter set (and the pages')."""
    from django_filters.utils import get_model_field

    from tests.zhucun.test_scope_matrix import SHARED
    from villages.filters import RegionFilter
    from zhucun.api_filters import IdFilter, StrictFilterSet

    regions, ids = set(PAGE_REGION_PARAMS), dict(PAGE_ID_PARAMS)
    for filterset in _subclasses(StrictFilterSet):
        model = filterset._meta.model
        for name, declared in filterset.base_filters.items():
            if isinstance(declared, RegionFilter):
                regions.add(name)
            elif isinstance(declared, IdFilter):
                target = get_model_field(model, declared.field_name).related_model
                if target is not None and target._meta.label_lower not in SHARED:
                    ids.setdefault(name, target._meta.label_lower)
    return regions, ids


def _scope_of(role: str, world: dict) -> str:
    return {
        "province": "510000",
        "prefecture": world["county"].parent.code,
        "county": world["county"].code,
        "township": world["township"].code,
        "unit": world["unit"].name,
        "committee": world["committee"].name,
    }[role]


def _outside_values(role: str, other: dict) -> dict[str, str]:
    """A value per parameter naming the other county (nothing, for the province)."""
    from django.apps import apps

    from tests.zhucun.test_access import _ids_of

    regions, ids = _query_params()
    if role == "province":  # everything is in scope: an unknown one instead
        return {name: "999999" for name in regions} | {name: "99999999" for name in ids}
    values = {name: other["county"].code for name in regions}
    values["township"] = other["township"].code
    for name, label in ids.items():
        values[name] = str(_ids_of(other, apps.get_model(label))[0])
    return values


def _normalised(response, echo: str = "") -> bytes:
    if response.get("Content-Type", "").startswith(XLSX):
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        cells = repr(
            [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
        )
        return re.sub(r"\d{1,2}:\d{2}(:\d{2})?", "", cells).encode()  # export time
    body = response.content.decode(errors="ignore")
    for pattern, replacement in DYNAMIC:
        body = pattern.sub(replacement, body)
    if echo:  # a filter form shows the value asked for
        body = body.replace(f'value="{echo}"', 'value=""')
    return body.encode()


def _pages_answering(client, own: dict):
    """Each API list and export that answers 200 for the user, with its body."""
    pks = sorted(
        {own[key].pk for key in ("village", "team", "unit", "township")}
        | {own["member"].pk, own["member"].person.pk}
    )
    for route, _pattern in _patterns():
        if route.startswith(SKIP_WALK):
            continue
        urls = [_fill(route, pk) for pk in pks] if "<" in route else ["/" + route]
        for url in dict.fromkeys(urls):
            for extra in ({}, {"format": "xlsx"}):
                response = client.get(url, extra)
                if response.status_code != 200:
                    continue
                kind = response.get("Content-Type", "")
                if extra and not kind.startswith(XLSX):
                    continue
                # HTML pages echo the query string in forms and links, so their
                # bodies are not compared here; the API lists and the exports are.
                if not kind.startswith((XLSX, "application/json")):
                    continue
                yield url, extra, _normalised(response)
            if "<" in route:
                break  # one filled-in path per route is enough


@pytest.fixture
def two_counties(db):
    from tests.zhucun.test_access import _county_world

    return {
        "a": _county_world("513431", "昭觉"),
        "b": _county_world("511002", "内江市中"),
    }


@pytest.mark.parametrize("role", WALK_ROLES)
def test_a_parameter_naming_another_county_is_not_found(
    client, scoped_user, settings, two_counties, role
):
    settings.ZHUCUN_TODAY = datetime.date(2019, 6, 30)
    own, other = two_counties["a"], two_counties["b"]
    client.force_login(scoped_user(role, _scope_of(role, own)))
    outside = _outside_values(role, other)
    checked, refused = 0, 0
    for url, extra, baseline in _pages_answering(client, own):
        for name, value in outside.items():
            response = client.get(url, {**extra, name: value})
            if response.status_code == 404:
                refused += 1
                continue
            assert (
                response.status_code == 200 and _normalised(response, value) == baseline
            ), (
                f"{role}: {url}?{name}={value} answers {response.status_code} "
                "with other rows than without it (expected 404)"
            )
            checked += 1
    # The walk really met the parameters: most lists read one of them.
    assert refused >= 10, (role, refused, checked)


def test_the_parameters_walked_include_the_known_ones():
    regions, ids = _query_params()
    assert {"region", "county", "township", "assisting", "assisted"} <= regions
    assert {"team", "person", "village", "membership", "fund"} <= set(ids)
