"""The base layout links part 四's pages for the roles that may use them."""

import pytest
from django.urls import reverse

LINKS = {
    "grid": "attendance:grid",
    "completeness": "attendance:completeness",
    "visits": "attendance:coverage",
    "reports": "attendance:reports",
    "meetings": "attendance:meetings",
    "rollups": "attendance:rollups",
}


@pytest.mark.parametrize(
    "role, scope_of, shown",
    [
        ("township", lambda p: p.township.code, set(LINKS)),
        ("county", lambda p: p.county.code, set(LINKS)),
        ("unit", lambda p: p.members[0].unit.name, {"grid", "rollups"}),
        ("committee", None, set()),
    ],
)
def test_each_role_sees_the_links_it_may_follow(
    client, scoped_user, place, role, scope_of, shown
):
    if scope_of is None:
        from tests.factories import WorkCommitteeFactory

        committee = WorkCommitteeFactory()
        user = scoped_user(role, committee.name)
    else:
        user = scoped_user(role, scope_of(place))
    client.force_login(user)

    page = client.get(reverse("attendance:inbox")).content.decode()

    linked = {key for key, name in LINKS.items() if f'href="{reverse(name)}"' in page}
    assert linked == shown
    assert reverse("attendance:inbox") in page
