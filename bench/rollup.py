"""The monthly attendance rollup for the whole province, and its peak memory.

``attendance.rollups.attendance_rollup(month=…)`` recomputes one month's summaries
at every level (team, township, county, prefecture, province). The month is the
demo's last (December 2022, ~50,000 members in post). Each run is a process of its
own: its time is the rollup's, its peak resident memory that of one rollup.

The anchor is one hand-written SQL statement computing the level every other level
is summed from: per team, the memberships in force in the month, those with an
attendance row, and their in-post, leave and trip days. ``agrees`` says whether it
found as many teams as the rollup wrote team rows.
"""

from __future__ import annotations

import datetime
import gc
import os
import time

from bench.instruments import peak_rss_mb, rss_mb
from bench.process import run_child
from bench.stats import Result, goal, ratio, summary, timed, unavailable

GOAL_SECONDS = 10.0
CHILD_TIMEOUT = 900
MONTH = datetime.date(2022, 12, 1)  # the month of zhucun.demo.AS_OF


def missing_rollup() -> str | None:
    try:
        from attendance.rollups import attendance_rollup  # noqa: F401
    except ImportError as exc:
        return f"月度考勤汇总尚未实现（{exc}）"
    return None


def team_level_anchor(month: datetime.date):
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    last = following - datetime.timedelta(days=1)
    sql = """
        SELECT m.team_id, v.township_id, COUNT(m.id), COUNT(a.id),
          COALESCE(SUM(a.in_post_days), 0), COALESCE(SUM(a.leave_days), 0),
          COALESCE(SUM(a.trip_days), 0)
        FROM teams_membership m
        JOIN teams_team t ON t.id = m.team_id
        JOIN villages_village v ON v.id = t.village_id
        LEFT JOIN attendance_monthlyattendance a
          ON a.membership_id = m.id AND a.month = %s
        WHERE m.start_date <= %s AND (m.end_date IS NULL OR m.end_date >= %s)
        GROUP BY m.team_id, v.township_id
    """
    return sql, [month, last, month]


def run_once(config: dict) -> dict:
    from attendance.rollups import attendance_rollup

    month = datetime.date.fromisoformat(config["month"])
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    result = attendance_rollup(month=month)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": {str(k): v for k, v in result.rows.items()},
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def measure(config: dict) -> list[Result]:
    from django.db import connection

    database = config["database"]
    missing = missing_rollup()
    if missing:
        return [
            unavailable(
                "rollup", "rollup.month", "月度考勤汇总（全省）", database, missing
            ),
            unavailable("rollup", "memory.rollup", "汇总峰值内存", database, missing),
        ]
    from attendance.rollups import attendance_rollup

    # The first run fills the summary tables and the caches: not counted.
    attendance_rollup(month=MONTH)
    runs = [
        run_child(
            "rollup_once",
            {"month": MONTH.isoformat()},
            env=dict(os.environ),
            timeout=CHILD_TIMEOUT,
        )
        for _ in range(config["reps"])
    ]
    figure = summary([r["seconds"] for r in runs], unit="s", digits=2)
    figure["rows"] = runs[-1]["rows"]
    sql, params = team_level_anchor(MONTH)

    def anchor_rows():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    teams = len(anchor_rows())
    anchor = summary(
        timed(anchor_rows, repeat=config["reps"], warmup=1), unit="s", digits=3
    ) | {
        "label": "一条 SQL：当月每支队的在任人数、有考勤人数和各类天数（队级汇总，其余各级由它相加）",
        "agrees": teams == runs[-1]["rows"].get("team"),
    }
    memory = summary([r["peak_rss_mb"] for r in runs], unit="MB")
    memory["rss_before_mb"] = runs[-1]["rss_before_mb"]
    return [
        Result(
            "rollup",
            "rollup.month",
            f"月度考勤汇总（全省，{MONTH:%Y-%m}）",
            database,
            figure=figure,
            anchor=anchor,
            ratio=ratio(figure["value"], anchor["value"]),
            ratio_means="汇总用时 / 一条 SQL 用时",
            goal=goal(f"< {GOAL_SECONDS:g} s", figure["value"] < GOAL_SECONDS),
        ),
        Result(
            "rollup",
            "memory.rollup",
            "汇总进程峰值内存（RSS）",
            database,
            figure=memory,
            anchor={
                "label": "同一进程汇总前（已载入 Django）的内存",
                "value": runs[-1]["rss_before_mb"],
                "unit": "MB",
            },
            ratio=ratio(memory["value"], runs[-1]["rss_before_mb"]),
            ratio_means="峰值 ÷ 汇总前",
        ),
    ]
