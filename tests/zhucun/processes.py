"""Helpers for tests that run the project's own programs as child processes."""

import os
import socket
import sys
from urllib.parse import quote

from django.conf import settings

PYTHON = sys.executable
MANAGE = str(settings.BASE_DIR / "manage.py")
BASE_DIR = str(settings.BASE_DIR)


def child_env(**overrides: str | None) -> dict[str, str]:
    """This process's environment with variables set (a str) or removed (None)."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "zhucun.settings"
    env["PYTHONUNBUFFERED"] = "1"
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL that points a child process at the given database."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
