"""The benchmark's own databases: built once, reused while the data would not change.

A database is keyed by the size and seed of the demo province and by the version of
the code that shapes its rows (``zhucun/demo``, every ``models.py`` and migration):
the last commit touching those files, plus a digest of any uncommitted change to
them. A SQLite database is a file named after its key under ``var/bench/``; a
PostgreSQL database carries its key as its comment (``COMMENT ON DATABASE``). A
database whose key differs, or whose build did not finish, is built again.

Two roles: ``province`` (the seeded demo province) and
``import`` (the same migrations, no rows: the roster import fills it).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The files whose changes change the seeded rows (git pathspecs, from ROOT).
DATA_PATHSPECS = (
    "zhucun/demo",
    ":(glob)*/models.py",
    ":(glob)*/migrations/*.py",
)
STAMP = "zhucun-bench"
BUILD_TIMEOUT = 1800  # seconds: a full province takes about a minute


@dataclass(frozen=True)
class Database:
    """A database of the benchmark: where it is and the key of its contents."""

    vendor: str  # "sqlite" or "postgresql"
    role: str  # "province" or "import"
    url: str
    name: str  # file path or database name, for messages
    key: str


def _git(*args: str) -> str:
    # --no-optional-locks: status must not refresh (write) the index.
    return subprocess.run(
        ["git", "--no-optional-locks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def _digest(paths: list[str]) -> str:
    sha = hashlib.sha256()
    for name in sorted(paths):
        path = ROOT / name
        sha.update(name.encode())
        sha.update(path.read_bytes() if path.is_file() else b"<absent>")
    return sha.hexdigest()


def _data_files() -> list[str]:
    found = [*ROOT.glob("zhucun/demo/**/*.py"), *ROOT.glob("*/models.py")]
    found += ROOT.glob("*/migrations/*.py")
    return [str(p.relative_to(ROOT)) for p in found if ".venv" not in p.parts]


def code_version() -> str:
    """The version of the data-shaping code: commit, plus a digest when edited."""
    try:
        commit = _git("log", "-1", "--format=%H", "--", *DATA_PATHSPECS).strip()
        status = _git(
            "status", "--porcelain", "--untracked-files=all", "--", *DATA_PATHSPECS
        )
    except (OSError, subprocess.SubprocessError):
        return "files-" + _digest(_data_files())[:12]
    changed = []
    for line in status.splitlines():
        path = line[3:]
        if " -> " in path:
            path = path.split(" -> ", 1)[1]
        changed.append(path.strip('"'))
    if not commit:
        return "files-" + _digest(_data_files())[:12]
    if not changed:
        return commit[:12]
    return f"{commit[:12]}+{_digest(changed)[:8]}"


def data_key(*, villages: int, seed: int, version: str) -> str:
    return f"v{villages}-s{seed}-{version}"


# --- SQLite ---------------------------------------------------------------------
def sqlite_database(out_dir: Path, role: str, key: str) -> Database:
    path = out_dir / f"{role}-{key}.sqlite3"
    return Database("sqlite", role, f"sqlite:///{path}", str(path), key)


def _sqlite_files(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def _sqlite_remove(path: Path) -> None:
    for file in _sqlite_files(path):
        file.unlink(missing_ok=True)


def _sqlite_settle(path: Path) -> None:
    """Fold the write-ahead log into the file, so that the file alone is the database."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for extra in _sqlite_files(path)[1:]:
        extra.unlink(missing_ok=True)


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def ensure_sqlite(
    database: Database, build: Callable[[str], None], template: str | None = None
) -> bool:
    """Build the database unless a finished one with its key exists; True if built.

    With ``template`` (the URL of a database no process has open), the new one
    starts as a copy of it.
    """
    path = Path(database.name)
    if path.exists():
        return False
    prefix = path.name.split("-s", 1)[0]  # "<role>-v<villages>"
    for stale in path.parent.glob(f"{prefix}-s*.sqlite3*"):
        stale.unlink(missing_ok=True)
    building = path.with_suffix(".building")
    _sqlite_remove(building)
    if template:
        _sqlite_settle(_sqlite_path(template))
        shutil.copyfile(_sqlite_path(template), building)
    build(f"sqlite:///{building}")
    _sqlite_settle(building)
    building.rename(path)
    return True


def drop_sqlite(database: Database) -> None:
    _sqlite_remove(Path(database.name))


# --- PostgreSQL -----------------------------------------------------------------
def pg_base_name(database_url: str, override: str | None = None) -> str:
    """The benchmark's own database name: never the one DATABASE_URL names."""
    if override:
        return override
    name = unquote(urlsplit(database_url).path.lstrip("/")) or "zhucun"
    return name if name.endswith("_bench") else f"{name}_bench"


def pg_database(database_url: str, name: str, role: str, key: str) -> Database:
    parts = urlsplit(database_url)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    return Database("postgresql", role, url, name, key)


def _pg_connect(url: str, dbname: str = "postgres"):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        dbname=dbname,
        user=unquote(parts.username or "") or None,
        password=unquote(parts.password or "") or None,
        host=parts.hostname or None,
        port=parts.port or None,
        connect_timeout=10,
    )
    connection.autocommit = True
    return connection


def _pg_stamp(url: str, name: str) -> str | None:
    """The comment of the database; None when it does not exist."""
    with _pg_connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname = %s",
            [name],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def _pg_execute(url: str, sql: str, params=(), dbname: str = "postgres") -> None:
    connection = _pg_connect(url, dbname)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        connection.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def drop_pg(database: Database) -> None:
    _pg_execute(
        database.url, f"DROP DATABASE IF EXISTS {_quote(database.name)} WITH (FORCE)"
    )


def ensure_pg(
    database: Database, build: Callable[[str], None], template: str | None = None
) -> bool:
    """Build the database unless it exists stamped with its key; True if built.

    With ``template`` (the URL of a database no session is connected to), the new
    one is created as a copy of it.
    """
    if is_current(database):
        return False
    drop_pg(database)
    copy = ""
    if template:
        copy = f" TEMPLATE {_quote(unquote(urlsplit(template).path.lstrip('/')))}"
    _pg_execute(database.url, f"CREATE DATABASE {_quote(database.name)}{copy}")
    build(database.url)
    _pg_execute(database.url, "VACUUM ANALYZE", dbname=database.name)
    _pg_execute(
        database.url,
        f"COMMENT ON DATABASE {_quote(database.name)} IS %s",
        [f"{STAMP} {database.key}"],
    )
    return True


def is_current(database: Database) -> bool:
    """Whether a finished database with this key exists."""
    if database.vendor == "sqlite":
        return Path(database.name).exists()
    return _pg_stamp(database.url, database.name) == f"{STAMP} {database.key}"


def pg_server_version(url: str) -> str:
    with _pg_connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


# --- building -------------------------------------------------------------------
def manage(args: list[str], *, env: dict, log, timeout: float = BUILD_TIMEOUT) -> None:
    """Run ``manage.py ARGS`` in ROOT with ``env``; its output goes to ``log``."""
    log(f"+ manage.py {' '.join(args)}")
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    lines = [x for x in completed.stdout.splitlines() if " INFO axes." not in x]
    if completed.returncode != 0:
        for line in lines[-30:]:
            log(f"  {line}")
        raise RuntimeError(f"manage.py {args[0]} failed (exit {completed.returncode})")
    for line in lines:
        if "秒" in line:  # the seed's stages and their times
            log(f"  {line.strip()}")


def ensure(
    database: Database, build: Callable[[str], None], template: str | None = None
) -> bool:
    if database.vendor == "sqlite":
        return ensure_sqlite(database, build, template)
    return ensure_pg(database, build, template)


def drop(database: Database) -> None:
    if database.vendor == "sqlite":
        drop_sqlite(database)
    else:
        drop_pg(database)


_RUN_SECRET_KEY = secrets.token_urlsafe(50)


def child_env(database: Database, work_dir: Path, **extra: str) -> dict:
    """The environment of a process working on ``database`` (production-like)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database.url,
        DJANGO_SETTINGS_MODULE="zhucun.settings",
        ZHUCUN_VAR_DIR=str(work_dir / "var"),
        # Production settings: no debug query log; plain HTTP on 127.0.0.1.
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        # DEBUG=0 refuses to start without a key; one key for all of a run's processes.
        SECRET_KEY=os.environ.get("SECRET_KEY") or _RUN_SECRET_KEY,
        # The demo province stands on zhucun.demo.AS_OF (checked in bench.child).
        ZHUCUN_TODAY="2022-12-31",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if database.vendor == "sqlite":
        # The single-machine setup: no Redis (local-memory cache, file broker).
        env.pop("REDIS_URL", None)
    env.update(extra)
    return env
