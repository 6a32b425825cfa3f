"""Schemathesis fuzzes the whole API against its own schema, as a county clerk.

Every operation of /api/schema/ is called with generated data through the WSGI
application, with a real token of a county user over a small county (one of every
kind of row, ``tests.zhucun.test_access._county_world``). What must hold: no 5xx,
every status code documented, every body and content type as documented.

It runs on the PostgreSQL run of CI (the database production uses) and is skipped
on SQLite to save time. ``ZHUCUN_FUZZ_EXAMPLES`` (default 10) sets the examples per
operation: about 1,000 requests, two to three minutes on a busy two-core machine.
"""

import datetime
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle

from compliance.services import compliance_refresh
from tests.zhucun.test_access import _county_world
from zhucun.api_tokens import api_token_issue

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="模糊测试只在 PostgreSQL 上运行（CI 的 PostgreSQL 轮次）",
)

EXAMPLES = int(os.environ.get("ZHUCUN_FUZZ_EXAMPLES", "10"))
# The coverage phase (every boundary value of every parameter, ~2,000 requests)
# takes about four times as long as the fuzzing: run it with ZHUCUN_FUZZ_COVERAGE=1.
COVERAGE = os.environ.get("ZHUCUN_FUZZ_COVERAGE", "") == "1"


@pytest.fixture
def api_schema(db, scoped_user, monkeypatch, tmp_path, settings, request):
    """The schema as the server serves it, sending a county clerk's token."""
    # schemathesis 4.32's lazy schema reads Node._nodeid, which pytest 9.2 no
    # longer has (the node id now lives in Node._id); give it the same string.
    request.node._nodeid = request.node.nodeid
    _county_world("513431", "昭觉")
    _county_world("511002", "内江市中")
    compliance_refresh(as_of=datetime.date(2019, 6, 30))
    user = scoped_user("county", "513431", "fuzz-clerk")
    _token, key = api_token_issue(user=user)
    settings.VAR_DIR = tmp_path  # uploaded workbooks land here
    # Thousands of requests in a minute would trip the per-user throttle and turn
    # the rest of the run into 429s (documented, so they would pass unchecked).
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": None, "anon": None}
    )
    # Like Django's test client: a request must not close the connection that
    # holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    config = schemathesis.Config.from_dict(
        {
            # The schema's tokenAuth scheme: schemathesis then knows the request is
            # authenticated and also checks that no or a wrong token is refused.
            "auth": {"openapi": {"tokenAuth": {"api_key": f"Token {key}"}}},
            "generation": {
                "mode": "positive",
                "max-examples": EXAMPLES,
                "no-shrink": True,
                "deterministic": True,
                "database": "none",
            },
            "phases": {
                "stateful": {"enabled": False},
                "coverage": {"enabled": COVERAGE},
            },
            "checks": {
                # The schema says which requests are well formed, not which rows
                # exist or which business rule (a cap, a locked month) allows a
                # write: a well-formed request may rightly be refused with 400.
                "positive_data_acceptance": {"enabled": False},
            },
        }
    )
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json",
            get_wsgi_application(),
            config=config,
            # The schema is for signed-in users only.
            headers={"Authorization": f"Token {key}"},
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_conforms_to_its_schema(case):
    case.call_and_validate()
