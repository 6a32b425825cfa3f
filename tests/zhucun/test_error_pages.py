"""With DEBUG off, errors are pages in Chinese in the site's layout (contracts.md)."""

import pytest
from django.template.loader import render_to_string


@pytest.mark.django_db
def test_a_missing_page_is_a_chinese_page_in_the_layout(client, province_user):
    client.force_login(province_user)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert 'class="site-header"' in body
    assert "URLconf" not in body


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("400.html", "请求有误"),
        ("403.html", "无权访问"),
        ("404.html", "页面不存在"),
        ("500.html", "系统出错"),
    ],
)
def test_every_error_page_renders_in_chinese_even_without_a_request(template, text):
    """Django renders 500.html with an empty context: it must not need a request."""
    body = render_to_string(template)

    assert text in body
    assert '<html lang="zh-hans">' in body
