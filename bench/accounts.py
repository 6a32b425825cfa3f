"""The benchmark's own accounts, one per role it measures, on the demo's places.

Made with ``accounts.services.user_provision`` (the service behind ``create_user``),
without a password: the pages are requested with ``force_login`` and the API with
a token, so no password is ever hashed or checked. Re-running changes nothing.
"""

from __future__ import annotations

import datetime

PROVINCE = "bench-sheng"  # 省级协调小组, 四川省
COUNTY = "bench-zhaojue"  # 县委组织部, 昭觉县
TOWNSHIP = "bench-xiang"  # 乡镇, the township with the most members in post
TOWNSHIP_COUNTY = "bench-xian"  # 县委组织部 of that township's county
ZHAOJUE = "513431"
# The API clients of the load test: 20 concurrent clients are 20 users (each with
# its own throttle history, as in production), all with the province's scope.
API_CLIENTS = tuple(f"bench-api-{n:02d}" for n in range(1, 21))


def busiest_township(today: datetime.date):
    """The township with the most members in post: the largest monthly grid."""
    from django.db.models import Count

    from teams.models import Membership
    from villages.models import Region
    from zhucun.queries import active_on

    row = (
        Membership.objects.filter(active_on(today))
        .values("team__village__township_id")
        .annotate(n=Count("id"))
        .order_by("-n", "team__village__township_id")
        .first()
    )
    return Region.objects.get(pk=row["team__village__township_id"])


def provision(today: datetime.date, *, api_clients: bool = False) -> dict:
    """Create (or keep) the accounts; return the busiest township."""
    from accounts.services import user_provision

    township = busiest_township(today)
    wanted = [
        (PROVINCE, "province", "510000"),
        (COUNTY, "county", ZHAOJUE),
        (TOWNSHIP, "township", township.code),
        (TOWNSHIP_COUNTY, "county", township.parent.code),
    ]
    if api_clients:
        wanted += [(name, "province", "510000") for name in API_CLIENTS]
    for username, role, scope in wanted:
        user_provision(username=username, role=role, scope=scope)
    forget_throttling([name for name, _role, _scope in wanted])
    return {"township": township}


def tokens(usernames) -> list[str]:
    """A new API token for each account (only its hash is stored, so none is reused)."""
    from zhucun.api_tokens import api_token_issue

    return [api_token_issue(user=user(name), name="bench")[1] for name in usernames]


def forget_throttling(usernames) -> None:
    """Drop the accounts' API throttle history from the cache.

    With Redis the history outlives a process: requests of an earlier measurement
    (or run) would count against the next one's per-user rate.
    """
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from rest_framework.throttling import UserRateThrottle

    ids = get_user_model().objects.filter(username__in=list(usernames))
    cache.delete_many(
        [
            UserRateThrottle.cache_format % {"scope": "user", "ident": pk}
            for pk in ids.values_list("pk", flat=True)
        ]
    )


def user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
