"""The benchmark's quick mode runs end to end on a tiny province (issue 10).

It checks the shape of ``latest.json`` and of the printed table, never a timing:
every measurement is there, on the database of the run, with a figure, and an
anchor and a ratio where the measurement has one.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Measurements whose code is in the tree, each with an anchor measured in the run.
ANCHORED = {
    "compliance.rule.ATTENDANCE_NOT_RECORDED",
    "compliance.rule.HOUSEHOLDS_NOT_ALL_VISITED",
    "page.home.province",
    "page.home.county",
    "page.admin.villages",
    "page.admin.teams",
    "page.admin.people",
    "page.admin.attendance",
    "page.admin.teams.county",
    "api.villages.list",
    "api.teams.list",
    "api.people.list",
    "api.memberships.list",
    "api.villages.county",
    "api.villages.detail",
    "load.api.villages.list",
    "load.api.teams.list",
    "load.api.villages.detail",
}
# Measured without an anchor of their own (the goal, or the anchor of the rules).
UNANCHORED = {"compliance.total", "load.api.root"}
# Measured once their code is in the tree; until then "unavailable" with a reason.
PENDING = {
    "compliance.snapshot",
    "page.dashboard.province",
    "page.workbench.county",
    "page.township",
    "rollup.month",
    "memory.rollup",
    "import.roster",
    "memory.import",
    "page.attendance.grid",
    "page.attendance.grid.save",
    "page.compliance",
}
RESULT_KEYS = {
    "group",
    "name",
    "label",
    "database",
    "status",
    "reason",
    "figure",
    "anchor",
    "ratio",
    "ratio_means",
    "goal",
    "details",
}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """The quick mode on 100 villages, fewest repetitions, on this run's database."""
    out_dir = tmp_path_factory.mktemp("bench")
    url = os.environ.get("DATABASE_URL", "")
    vendor = "postgresql" if url.startswith("postgres") else "sqlite"
    command = [
        sys.executable,
        "-m",
        "bench",
        "--quick",
        "--villages=100",
        "--reps=2",
        "--page-runs=2",
        "--load-seconds=1",
        "--load-rounds=1",
        "--import-rows=150",
        "--stock-reps=1",
        f"--databases={vendor}",
        f"--out-dir={out_dir}",
        "--no-small",
        "--cleanup",
    ]
    if vendor == "postgresql":
        name = urlsplit(url).path.lstrip("/") or "zhucun"
        command.append(f"--pg-name={name}_benchtest_{os.getpid()}")
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    return vendor, completed, out_dir


def test_quick_mode_writes_each_measurement_beside_its_anchor(quick_run):
    vendor, completed, out_dir = quick_run

    assert completed.returncode == 0, completed.stderr[-3000:]
    document = json.loads((out_dir / "latest.json").read_text(encoding="utf-8"))
    results = {r["name"]: r for r in document["results"]}
    assert ANCHORED | UNANCHORED | PENDING <= set(results)
    for result in results.values():
        assert set(result) == RESULT_KEYS
        assert result["database"] == vendor
        assert result["status"] in ("ok", "unavailable"), result
        if result["status"] == "unavailable":
            assert result["reason"] and result["figure"] is None
            continue
        assert result["figure"]["value"] is not None
        assert result["figure"]["unit"]
    for name in ANCHORED:
        result = results[name]
        assert result["status"] == "ok", result
        assert result["anchor"]["value"] is not None
        assert result["anchor"]["label"]
        assert result["ratio"] is not None and result["ratio_means"]
    for name in UNANCHORED:
        assert results[name]["status"] == "ok"
        assert results[name]["anchor"] is None
    assert document["villages"] == 100
    assert document["machine"]["nproc"] >= 1
    assert {"python", "sqlite", "cpu", "memory_gib"} <= set(document["machine"])


def test_quick_mode_prints_the_table_and_removes_its_databases(quick_run):
    _vendor, completed, out_dir = quick_run

    assert completed.returncode == 0, completed.stderr[-3000:]
    header = completed.stdout.splitlines()[0].split()
    assert header == ["项目", "数据库", "结果", "基准", "比值", "目标"]
    assert "latest.json" in completed.stdout
    assert not list(out_dir.glob("*.sqlite3"))
