"""Content-Security-Policy without inline script, and no-store on personal answers
(issue 14, point 6)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from zhucun.api_tokens import api_token_issue

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def _templates():
    for folder in TEMPLATE_DIRS:
        yield from sorted(folder.rglob("*.html"))


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(
        part.strip().split(" ", 1) for part in policy.split(";") if part.strip()
    )


def test_no_template_has_inline_script_event_handlers_or_style_blocks():
    offenders = []
    for template in _templates():
        text = template.read_text(encoding="utf-8")
        # json_script's <script type="application/json"> is data, not code, and
        # is written by a filter, never in a template's text.
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            offenders += [f"{template}: {m.group(0)}" for m in pattern.finditer(text)]
        if "<style" in text or 'style="' in text:
            offenders.append(f"{template}: inline style")
    assert list(_templates()), "the templates are where the test looks"
    assert not offenders, "\n".join(offenders)


def test_the_policy_allows_scripts_only_from_this_server(client, province_user):
    client.force_login(province_user)

    response = client.get("/?stay=1")

    directives = _directives(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/admin/login/", "/api/v1/"])
def test_every_kind_of_answer_carries_the_policy(client, url):
    response = client.get(url)

    assert _directives(response)["script-src"] == "'self'"


def test_a_signed_in_page_is_not_stored(client, province_user):
    client.force_login(province_user)

    response = client.get("/teams/")

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


def test_an_api_answer_over_a_token_is_not_stored(province_user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_issue(user=province_user)[1]}"
    )

    response = client.get("/api/v1/people/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_anonymous_api_refusal_is_not_stored_either():
    response = APIClient().get("/api/v1/people/")

    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]
