"""Content-Security-Policy and ``Cache-Control: no-store`` on every answer of the app.

A few lines instead of django-csp: one fixed policy for the whole site, with no
nonce and no per-view change, so a library would add a dependency and no feature.
Static files never get here (WhiteNoise answers them before this middleware),
so they stay cacheable.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class SecurityHeadersMiddleware:
    """Add the site's CSP to every answer and forbid storing personal answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.ZHUCUN_CSP)
        # Pages of a signed-in user and every API answer (DRF signs a token user
        # in on the request too) carry personal data: no browser or proxy keeps them.
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user and user.is_authenticated):
            add_never_cache_headers(response)  # no-cache, no-store, private, ...
        return response
