"""A measuring process: ``python -m bench.child ENTRY CONFIG.json OUT.json``.

Sets Django up on the database of its environment (``DATABASE_URL``), adds the
read-only alias ``source`` when the configuration names a second database (the
roster import reads the seeded province from it), runs one entry point and writes
its answer as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ENTRIES = {
    "compliance": "bench.compliance:measure",
    "pages": "bench.pages:measure",
    "counts": "bench.pages:count_queries",
    "load": "bench.load:measure",
    "roster": "bench.roster:measure",
    "roster_once": "bench.roster:run_once",
    "rollup": "bench.rollup:measure",
    "rollup_once": "bench.rollup:run_once",
}


def setup_django(source_url: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhucun.settings")
    import django
    from django.conf import settings

    if source_url:
        import dj_database_url

        default = settings.DATABASES["default"]
        source = dj_database_url.parse(source_url, conn_max_age=0)
        for name in ("OPTIONS", "CONN_MAX_AGE"):
            if name in default:
                source[name] = default[name]
        settings.DATABASES["source"] = source
    django.setup()
    from zhucun.demo import AS_OF

    today = os.environ.get("ZHUCUN_TODAY")
    if today and today != AS_OF.isoformat():
        raise SystemExit(f"ZHUCUN_TODAY={today} but the demo stands on {AS_OF}")


def main(argv: list[str]) -> None:
    entry, config_path, out_path = argv[1:4]
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    setup_django(config.get("source_url"))
    module_name, function_name = ENTRIES[entry].split(":")
    module = __import__(module_name, fromlist=[function_name])
    answer = getattr(module, function_name)(config)
    if isinstance(answer, list):
        answer = [a.as_dict() if hasattr(a, "as_dict") else a for a in answer]
    Path(out_path).write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
