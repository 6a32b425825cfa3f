"""The health check (/healthz); the home page is ``dashboards.home``."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

# (permission, admin changelist URL name, label) of the lists the home page offers.


# Units and committees work on appointment steps (二(四)): they land on that to-do.


def healthz(request):
    """200 when the database (and the broker, where configured) answer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {type(exc).__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks},
        status=200 if healthy else 503,
    )
