"""Run one measurement in a process of its own and read back its JSON answer.

Every measurement runs in a fresh Python process (``python -m bench.child ENTRY``)
with the environment of the database it measures: the runner itself never opens a
database through Django, a process's peak memory is that of its measurement alone,
and a failure in one measurement leaves the others standing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.databases import ROOT


class ChildFailed(RuntimeError):
    """The measuring process exited with an error, or ran out of time."""


def run_child(entry: str, config: dict, *, env: dict, timeout: float):
    """Run ``bench.child ENTRY`` with ``config``; return what it wrote."""
    with tempfile.TemporaryDirectory(prefix="zhucun-bench-") as folder:
        config_path = Path(folder) / "config.json"
        out_path = Path(folder) / "out.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "bench.child", entry, config_path, out_path],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise ChildFailed(f"{entry}: no answer within {timeout:.0f} s") from None
        if completed.returncode != 0 or not out_path.exists():
            lines = [
                line
                for line in (completed.stderr or "").splitlines()
                if " INFO axes." not in line
            ]
            tail = "\n".join(lines[-12:]) or f"exit {completed.returncode}"
            raise ChildFailed(f"{entry}: {tail}")
        return json.loads(out_path.read_text(encoding="utf-8"))
