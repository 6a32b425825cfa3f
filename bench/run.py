"""The benchmark runner: ``python -m bench`` (``make bench``), ``--quick`` for a small run.

1. Builds, or reuses, the demo province in the benchmark's own databases: a SQLite
   file under ``var/bench/`` and, when ``DATABASE_URL`` is set, a PostgreSQL
   database of its own (``<name>_bench``), keyed by size, seed and the version of
   the code that shapes the data (``bench.databases``).
2. Runs each measurement group in a process of its own, on each database: the
   monthly rollup, the compliance evaluation, pages and API in process, the roster
   import, HTTP load against gunicorn. A group whose code is not in the tree yet
   answers "not available yet" with the reason, never a number.
3. Prints the table (what, database, figure, anchor, ratio, goal) and writes
   ``var/bench/latest.json``.

Every loop is bounded in count and time; all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

from bench import databases as dbs
from bench import machine, report
from bench.process import ChildFailed, run_child
from bench.stats import Result

FULL_SIZE = 11_501  # zhucun.demo.FULL_SIZE: the province's poor villages
DEFAULT_SEED = 2018  # zhucun.demo.DEFAULT_SEED
SMALL_SIZE = 300  # the quick run's province, also used for query counts

MODES = {
    "full": {
        "villages": FULL_SIZE,
        "reps": 5,
        "page_runs": 30,
        "load_seconds": 10.0,
        "load_rounds": 3,
        "import_rows": 50_000,
        "stock_reps": 1,
        "stock_bulk": True,
        "max_requests": 100_000,
        "timeout": 3600,
    },
    "quick": {
        "villages": SMALL_SIZE,
        "reps": 3,
        "page_runs": 10,
        "load_seconds": 3.0,
        "load_rounds": 1,
        "import_rows": 1_500,
        "stock_reps": 1,
        "stock_bulk": False,
        "max_requests": 20_000,
        "timeout": 600,
    },
}
# In the order they run: the rollup fills the summary tables pages may read.
GROUPS = ("rollup", "compliance", "pages", "roster", "load")
GROUP_LABELS = {
    "rollup": "月度考勤汇总",
    "compliance": "合规检查",
    "pages": "页面与 API",
    "roster": "花名册导入",
    "load": "HTTP 并发",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="zhucun 全省规模性能测试"
    )
    parser.add_argument("--quick", action="store_true", help="小规模快速运行")
    parser.add_argument("--villages", type=int, help="演示省份的村数")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
    parser.add_argument("--reps", type=int, help="合规检查、导入、汇总的重复次数")
    parser.add_argument("--page-runs", type=int, help="每个页面请求的次数")
    parser.add_argument("--load-seconds", type=float, help="每轮并发测试的秒数")
    parser.add_argument("--load-rounds", type=int, help="每个端点的并发测试轮数")
    parser.add_argument("--import-rows", type=int, help="花名册行数")
    parser.add_argument("--stock-reps", type=int, help="原版导入的重复次数")
    parser.add_argument("--workers", type=int, help="gunicorn 进程数（默认 2–4）")
    parser.add_argument(
        "--only", action="append", choices=GROUPS, help="只运行这一组（可重复）"
    )
    parser.add_argument(
        "--databases",
        help="sqlite、postgresql 或二者（逗号分隔）；默认 SQLite，"
        "设置了 DATABASE_URL 时再加 PostgreSQL",
    )
    parser.add_argument("--out-dir", type=Path, help="默认 var/bench/")
    parser.add_argument("--pg-name", help="PostgreSQL 库名（默认 <库名>_bench）")
    parser.add_argument(
        "--python-client", action="store_true", help="不用 wrk，用内置的 Python 客户端"
    )
    parser.add_argument(
        "--no-small", action="store_true", help="不在小省份上核对查询数"
    )
    parser.add_argument(
        "--cleanup", action="store_true", help="结束后删除本次用到的测试数据库"
    )
    return parser.parse_args(argv)


def settings_of(args: argparse.Namespace) -> dict:
    mode = "quick" if args.quick else "full"
    chosen = dict(MODES[mode], mode=mode, seed=args.seed)
    for name in (
        "villages",
        "reps",
        "page_runs",
        "load_seconds",
        "load_rounds",
        "import_rows",
        "stock_reps",
    ):
        value = getattr(args, name)
        if value is not None:
            chosen[name] = value
    cores = os.cpu_count() or 2
    chosen["workers"] = args.workers or max(2, min(4, cores + 1))
    chosen["python_client"] = args.python_client
    return chosen


class Plan:
    """The databases of one vendor: the province, the import target, the small one."""

    def __init__(self, vendor: str, args, config: dict, out_dir: Path, version: str):
        self.vendor = vendor
        key = dbs.data_key(
            villages=config["villages"], seed=config["seed"], version=version
        )
        small_key = dbs.data_key(
            villages=SMALL_SIZE, seed=config["seed"], version=version
        )
        if vendor == "sqlite":
            self.province = dbs.sqlite_database(out_dir, "province", key)
            self.target = dbs.sqlite_database(out_dir, "import", key)
            self.small = dbs.sqlite_database(out_dir, "province", small_key)
        else:
            url = os.environ["DATABASE_URL"]
            base = dbs.pg_base_name(url, args.pg_name)
            suffix = (
                "" if config["villages"] == FULL_SIZE else f"_v{config['villages']}"
            )
            self.province = dbs.pg_database(url, base + suffix, "province", key)
            self.target = dbs.pg_database(url, f"{base}{suffix}_import", "import", key)
            small_suffix = "" if SMALL_SIZE == FULL_SIZE else f"_v{SMALL_SIZE}"
            self.small = dbs.pg_database(
                url, base + small_suffix, "province", small_key
            )


def _migrate(url: str, database: dbs.Database, work_dir: Path) -> None:
    env = dbs.child_env(database, work_dir, DATABASE_URL=url)
    dbs.manage(["migrate", "--noinput", "-v", "0"], env=env, log=log)


def prepare(
    province: dbs.Database,
    config: dict,
    work_dir: Path,
    target: dbs.Database | None = None,
) -> None:
    """Build (or reuse) the province and the import target.

    A target built together with its province starts as a copy of the freshly
    migrated province (one migration instead of two).
    """

    def build(url: str) -> None:
        env = dbs.child_env(province, work_dir, DATABASE_URL=url)
        _migrate(url, province, work_dir)
        if target is not None and not dbs.is_current(target):
            dbs.ensure(target, lambda _url: None, template=url)
            log(f"   导入目标库：{target.name}（复制自刚迁移的空库）")
        dbs.manage(
            [
                "seed_demo",
                "--villages",
                str(config["villages"]),
                "--seed",
                str(config["seed"]),
            ],
            env=env,
            log=log,
        )

    started = time.monotonic()
    if dbs.ensure(province, build):
        log(f"   建库完成：{province.name}（{time.monotonic() - started:.0f} 秒）")
    else:
        log(f"   沿用：{province.name}")
    if target is not None and dbs.ensure(
        target, lambda url: _migrate(url, target, work_dir)
    ):
        log(f"   导入目标库已建：{target.name}")


def group_config(group: str, config: dict, plan: Plan, work_dir: Path) -> dict:
    chosen = dict(config, database=plan.vendor)
    if group == "roster":
        chosen["source_url"] = plan.province.url
        workbook = (
            work_dir
            / f"roster-{plan.vendor}-{plan.province.key}-{config['import_rows']}.xlsx"
        )
        # Workbooks of another version of this province are stale.
        size = plan.province.key.split("-", 1)[0]
        for stale in work_dir.glob(f"roster-{plan.vendor}-{size}-*.xlsx"):
            if stale != workbook and plan.province.key not in stale.name:
                stale.unlink()
        chosen["workbook"] = str(workbook)
    return chosen


def run_group(group: str, config: dict, plan: Plan, work_dir: Path) -> list[dict]:
    database = plan.target if group == "roster" else plan.province
    env = dbs.child_env(database, work_dir)
    started = time.monotonic()
    try:
        answer = run_child(
            group,
            group_config(group, config, plan, work_dir),
            env=env,
            timeout=config["timeout"],
        )
    except ChildFailed as exc:
        answer = [
            Result(
                group,
                f"{group}.failed",
                GROUP_LABELS[group],
                plan.vendor,
                status="error",
                reason=str(exc)[-600:],
            ).as_dict()
        ]
    log(f"   {GROUP_LABELS[group]}：{time.monotonic() - started:.0f} 秒")
    return answer


def merge_small_counts(results: list[dict], counts: dict[str, int]) -> None:
    """Put the small province's statement counts beside the full one's."""
    for r in results:
        figure = r.get("figure") or {}
        if r["status"] != "ok" or "queries" not in figure or r["name"] not in counts:
            continue
        figure["queries_small"] = counts[r["name"]]
        if r.get("goal") and r["group"] == "pages":
            same = figure["queries"] == counts[r["name"]]
            r["goal"]["text"] += "，查询数与规模无关"
            r["goal"]["met"] = bool(r["goal"]["met"]) and same


def vendors_of(args) -> list[str]:
    if args.databases:
        chosen = [v.strip() for v in args.databases.split(",") if v.strip()]
    else:
        chosen = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    for vendor in chosen:
        if vendor not in ("sqlite", "postgresql"):
            raise SystemExit(f"未知的数据库：{vendor}（可选 sqlite、postgresql）")
    if "postgresql" in chosen and not os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    ):
        raise SystemExit("PostgreSQL 需要 DATABASE_URL=postgres://…")
    return chosen


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = settings_of(args)
    var_dir = Path(os.environ.get("ZHUCUN_VAR_DIR") or dbs.ROOT / "var")
    out_dir = (args.out_dir or var_dir / "bench").resolve()
    work_dir = out_dir / "work"
    work_dir.mkdir(parents=True, exist_ok=True)
    groups = [g for g in GROUPS if not args.only or g in args.only]
    version = dbs.code_version()
    started_at = datetime.datetime.now().astimezone()
    started = time.monotonic()
    load_before = machine.load_average()
    log(
        f"zhucun 性能测试（{config['mode']}）：{config['villages']} 个村，"
        f"种子 {config['seed']}，代码版本 {version}"
    )
    results: list[dict] = []
    used: list[dbs.Database] = []
    pg_version = None
    for vendor in vendors_of(args):
        plan = Plan(vendor, args, config, out_dir, version)
        label = report.DATABASE_NAMES[vendor]
        log(f"== {label}")
        if vendor == "postgresql":
            pg_version = dbs.pg_server_version(plan.province.url)
        target = plan.target if "roster" in groups else None
        prepare(plan.province, config, work_dir, target)
        used.extend([plan.province, *([target] if target else [])])
        vendor_results: list[dict] = []
        for group in groups:
            log(f"-- {label}：{GROUP_LABELS[group]}")
            vendor_results.extend(run_group(group, config, plan, work_dir))
        small_wanted = (
            config["villages"] != SMALL_SIZE
            and not args.no_small
            and ("pages" in groups or "compliance" in groups)
        )
        if small_wanted:
            log(f"-- {label}：在 {SMALL_SIZE} 个村的小省份上核对查询数")
            prepare(plan.small, dict(config, villages=SMALL_SIZE), work_dir)
            used.append(plan.small)
            try:
                counts = run_child(
                    "counts",
                    {"database": vendor},
                    env=dbs.child_env(plan.small, work_dir),
                    timeout=config["timeout"],
                )
                merge_small_counts(vendor_results, counts)
            except ChildFailed as exc:
                log(f"   查询数核对失败：{exc}")
        results.extend(vendor_results)
    document = {
        "mode": config["mode"],
        "started_at": started_at.isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
        "villages": config["villages"],
        "seed": config["seed"],
        "code_version": version,
        "settings": {
            k: v
            for k, v in config.items()
            if k not in ("mode", "seed", "villages", "timeout")
        },
        "machine": machine.describe(pg_version) | {"load_average_before": load_before},
        "databases": [
            {"vendor": d.vendor, "role": d.role, "name": d.name, "key": d.key}
            for d in used
        ],
        "results": results,
    }
    latest = out_dir / "latest.json"
    latest.write_text(
        json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print(report.format_table(results))
    rules = report.format_rules(results)
    if rules:
        print()
        print("各条规则（中位数毫秒，括号内为查询数）：")
        print(rules)
    print()
    print(f"结果已写入 {latest}（共 {document['seconds']:.0f} 秒）")
    if args.cleanup:
        for database in used:
            dbs.drop(database)
    return 0
