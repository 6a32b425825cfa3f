"""Walk every URL pattern as a clerk of another county: none may show that county's data.

A page added later without the scoping function fails here, without anyone having
to remember to write its negative test. The admin and the API have their own
walks in test_scope_matrix.py.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from teams.models import Person, Unit
from tests.zhucun.test_access import _county_world
from villages.models import Village

SKIP_PREFIXES = ("admin/", "api/v1/", "static/", "logout/", "__debug__/")
MARKERS = ("乙县专用村", "乙县干部")  # the unit directory is shared (access.py)


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _fill(route: str, pk: int) -> str:
    import re

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
