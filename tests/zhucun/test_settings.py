"""Settings come from the environment only; the compose stack is complete and healthy.

Each configuration case imports the settings in a fresh interpreter, because
settings are read once per process.
"""

import http.client
import json
import re
import secrets
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

from tests.zhucun.processes import (
    BASE_DIR,
    MANAGE,
    PYTHON,
    child_env,
    database_url,
    free_port,
)

COMPOSE_FILE = Path(BASE_DIR) / "docker-compose.yml"
DOCKERFILE = Path(BASE_DIR) / "Dockerfile"

_SHOW_SETTINGS = """
import json
from django.conf import settings
from zhucun.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "db": {k: db.get(k) for k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST",
                                  "PORT", "CONN_MAX_AGE", "OPTIONS")},
    "broker": settings.CELERY_BROKER_URL,
    "result_backend": settings.CELERY_RESULT_BACKEND,
    "transport_options": getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    "cache": settings.CACHES["default"],
    "app_broker": app.conf.broker_url,
    "debug": settings.DEBUG,
}, default=str))
"""


def settings_with(**env: str | None) -> dict:
    """The settings a new process gets under the given environment."""
    done = subprocess.run(
        [PYTHON, "-c", _SHOW_SETTINGS],
        cwd=BASE_DIR,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_default_database_is_sqlite_in_wal_mode_under_the_var_dir(tmp_path):
    loaded = settings_with(
        DATABASE_URL=None, REDIS_URL=None, ZHUCUN_VAR_DIR=str(tmp_path)
    )

    db = loaded["db"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "zhucun.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_default_var_dir_is_var_in_the_project(tmp_path):
    loaded = settings_with(DATABASE_URL=None, REDIS_URL=None, ZHUCUN_VAR_DIR=None)

    assert loaded["db"]["NAME"] == str(Path(BASE_DIR) / "var" / "zhucun.sqlite3")


def test_database_url_selects_postgresql():
    loaded = settings_with(
        DATABASE_URL="postgres://zhucun:s3cret@db.example.gov.cn:6543/zhucun_prod"
    )

    db = loaded["db"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == (
        "zhucun_prod",
        "zhucun",
        "s3cret",
    )
    assert (db["HOST"], int(db["PORT"])) == ("db.example.gov.cn", 6543)
    assert db["CONN_MAX_AGE"] == 60


def test_without_redis_the_broker_is_the_embedded_filesystem_one(tmp_path):
    loaded = settings_with(REDIS_URL=None, ZHUCUN_VAR_DIR=str(tmp_path))

    assert loaded["broker"] == loaded["app_broker"] == "filesystem://"
    assert loaded["result_backend"] is None
    assert loaded["transport_options"]["data_folder_in"] == str(
        tmp_path / "celery" / "queue"
    )
    assert (tmp_path / "celery" / "queue").is_dir()
    assert loaded["cache"]["BACKEND"].endswith("LocMemCache")


def test_redis_url_makes_redis_the_broker_and_the_cache():
    url = "redis://cache.example.gov.cn:6380/2"

    loaded = settings_with(REDIS_URL=url)

    assert loaded["broker"] == loaded["app_broker"] == url
    assert loaded["result_backend"] == url
    assert loaded["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["cache"]["LOCATION"] == url


def test_language_and_time_zone_are_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def _deploy_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, MANAGE, "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_environment():
    done = _deploy_check(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="zhucun.example.gov.cn",
    )

    assert done.returncode == 0, done.stdout + done.stderr


def test_deploy_check_passes_with_the_key_in_a_file(tmp_path):
    """`make run` passes the key as SECRET_KEY_FILE (var/secret_key)."""
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(64) + "\n")

    done = _deploy_check(
        DEBUG="0",
        SECRET_KEY=None,
        SECRET_KEY_FILE=str(key_file),
        ALLOWED_HOSTS="zhucun.example.gov.cn",
    )

    assert done.returncode == 0, done.stdout + done.stderr


def test_deploy_check_fails_with_a_weak_secret_key():
    """The check above is a real gate: a short key does not pass it."""
    done = _deploy_check(
        DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="zhucun.example.gov.cn"
    )

    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(secret_key):
    """No fallback to the public development key (issue 14, point 6)."""
    done = subprocess.run(
        [PYTHON, "-c", _SHOW_SETTINGS],
        cwd=BASE_DIR,
        env=child_env(DEBUG="0", SECRET_KEY=secret_key, SECRET_KEY_FILE=None),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "必须设置 SECRET_KEY" in done.stderr
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required" in done.stderr
    assert "django-insecure" not in done.stdout


def test_with_debug_on_the_development_key_still_serves_a_checkout():
    loaded = settings_with(DEBUG="1", SECRET_KEY=None, SECRET_KEY_FILE=None)

    assert loaded["debug"] is True


# --- docker-compose.yml and Dockerfile ----------------------------------------


def _compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ (a subset)."""

    def replace(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"{name} is required: {arg}")
        return arg if op == ":-" else ""

    value = value.replace("$$", "\0")
    value = re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", replace, value)
    return value.replace("\0", "$")


def _test_command(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test[1:]) if isinstance(test, list) else test


def test_compose_declares_the_production_services():
    services = _compose()["services"]

    assert set(services) >= {"postgres", "redis", "migrate", "web", "worker", "beat"}
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["web"]["command"][:2] == ["gunicorn", "zhucun.wsgi"]
    assert services["worker"]["command"][:3] == ["celery", "--app=zhucun", "worker"]
    assert services["beat"]["command"][:3] == ["celery", "--app=zhucun", "beat"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"


def test_compose_services_have_health_checks_and_wait_for_each_other():
    services = _compose()["services"]

    assert "pg_isready" in _test_command(services["postgres"])
    assert "redis-cli ping" in _test_command(services["redis"])
    assert "/healthz" in _test_command(services["web"])
    assert "inspect ping" in _test_command(services["worker"])
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_compose_configures_the_app_from_the_environment():
    compose = _compose()
    env = compose["services"]["web"]["environment"]

    assert env["DEBUG"] == "0"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert "${WORKER_CONCURRENCY:-" in " ".join(
        compose["services"]["worker"]["command"]
    )
    assert (
        "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    )
    assert set(compose["volumes"]) >= {"pgdata", "redisdata", "media"}
    with pytest.raises(KeyError, match="SECRET_KEY"):
        _interpolate(env["SECRET_KEY"], {})


def test_dockerfile_builds_from_python_311_slim_and_runs_as_non_root():
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")

    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.M)
    assert re.search(r"^RUN pip install \.", dockerfile, re.M)
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}


@pytest.fixture
def gunicorn_like_compose_web(django_db_setup, django_db_blocker, tmp_path):
    """gunicorn with the compose file's web environment, on the test database."""
    port = free_port()
    compose_env = _compose()["services"]["web"]["environment"]
    given = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "POSTGRES_PASSWORD": "unused",
        "ALLOWED_HOSTS": "zhucun.example.gov.cn",
    }
    env = {name: _interpolate(str(value), given) for name, value in compose_env.items()}
    with django_db_blocker.unblock():
        env["DATABASE_URL"] = database_url(connection.settings_dict)
    env["REDIS_URL"] = child_env().get("REDIS_URL")  # the suite's Redis, if any
    env["ZHUCUN_VAR_DIR"] = str(tmp_path)
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "zhucun.wsgi", f"--bind=127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=child_env(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # The master binds the port before its worker has loaded Django: wait
        # for an HTTP answer (any status), so a slow machine does not fail the
        # container check for the worker's start-up time.
        deadline = time.monotonic() + 90
        while server.poll() is None and time.monotonic() < deadline:
            try:
                answer = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                answer.request("GET", "/healthz")
                answer.getresponse()  # a redirect to HTTPS is an answer too
                answer.close()
                break
            except OSError:
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_compose_web_health_check_passes_behind_https_redirect(
    gunicorn_like_compose_web, tmp_path
):
    """The container's own check reaches /healthz with DEBUG=0 and SSL redirect on."""
    port = gunicorn_like_compose_web
    test = _compose()["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    code = test[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    env = child_env(REDIS_URL=None)

    check = subprocess.run(
        [PYTHON, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    plain = subprocess.run(
        [PYTHON, "-c", code.replace("'X-Forwarded-Proto'", "'X-Unused'")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    log = (tmp_path / "gunicorn.log").read_text()
    assert check.returncode == 0, check.stderr + log
    # Without the gateway's header the app redirects to HTTPS: the check's
    # header is what keeps it from failing.
    assert plain.returncode != 0


_SHOW_TOKEN_TTL = """
from django.conf import settings
print(settings.ZHUCUN_TOKEN_TTL_DAYS)
"""


@pytest.mark.parametrize(
    ("env", "days"),
    [
        ({}, "30"),
        ({"ZHUCUN_TOKEN_TTL_DAYS": "7"}, "7"),
        ({"API_TOKEN_DAYS": "14"}, "14"),  # the name contracts.md uses
    ],
)
def test_api_tokens_live_30_days_unless_configured(env, days):
    done = subprocess.run(
        [PYTHON, "-c", _SHOW_TOKEN_TTL],
        cwd=BASE_DIR,
        env=child_env(**{"ZHUCUN_TOKEN_TTL_DAYS": None, "API_TOKEN_DAYS": None, **env}),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == days
