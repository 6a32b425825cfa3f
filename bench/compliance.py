"""The full compliance evaluation: every rule over the whole province.

The total is the time of ``run_rules`` for the province as of the demo's day, in
seconds, with the statements it runs; each rule's own time and statements come
from the same runs. The two rules that read the most rows (every member's twelve
months of attendance; every household's visits of the quarter) are set beside the
same count computed by one hand-written SQL statement, their floor.

Then the nightly snapshot (``compliance_refresh``: the same evaluation, its
findings written to the table the compliance pages, dashboards and workbench
read), once its code is in the tree. It also leaves the snapshot in place for the
pages measured after this group.
"""

from __future__ import annotations

import datetime
import statistics
import time

from bench.instruments import counting
from bench.stats import Result, goal, ratio, summary, timed, unavailable

GOAL_SECONDS = 5.0


def _households_anchor(as_of: datetime.date):
    """Teams in post all the last quarter whose village has a household unvisited in it."""
    from zhucun.periods import last_completed_quarter

    quarter = last_completed_quarter(as_of)
    sql = """
        SELECT COUNT(*) FROM teams_team t
        WHERE t.start_date <= %s AND (t.end_date IS NULL OR t.end_date >= %s)
          AND t.start_date <= %s
          AND EXISTS (
            SELECT 1 FROM villages_household h
            WHERE h.village_id = t.village_id
              AND NOT EXISTS (
                SELECT 1 FROM attendance_householdvisit v
                WHERE v.household_id = h.id AND v.visited_on BETWEEN %s AND %s))
    """
    return sql, [quarter.first, quarter.last, as_of, quarter.first, quarter.last]


def _attendance_anchor(as_of: datetime.date):
    """(membership, month) pairs of the year so far served without an attendance row."""
    from zhucun.periods import last_completed_month, month_last_day, months_of_year_to

    months = months_of_year_to(last_completed_month(as_of))
    values = ", ".join(["(%s, %s)"] * len(months))
    sql = f"""
        WITH months(first_day, last_day) AS (VALUES {values})
        SELECT COUNT(*) FROM teams_membership m
        JOIN months ON m.start_date <= months.last_day
          AND (m.end_date IS NULL OR m.end_date >= months.first_day)
        WHERE NOT EXISTS (
          SELECT 1 FROM attendance_monthlyattendance a
          WHERE a.membership_id = m.id AND a.month = months.first_day)
    """
    params = [d for m in months for d in (m, month_last_day(m))]
    return sql, params


# rule code → (builder of the floor query, what the query computes)
ANCHORS = {
    "ATTENDANCE_NOT_RECORDED": (
        _attendance_anchor,
        "一条 SQL：本年各月在任而无考勤记录的（任职, 月份）数",
    ),
    "HOUSEHOLDS_NOT_ALL_VISITED": (
        _households_anchor,
        "一条 SQL：上季度全程在驻、村里有未走访农户的工作队数",
    ),
}


def _scalar(connection, sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def measure(config: dict) -> list[Result]:
    from django.db import connection

    from compliance.rules import run_rules
    from zhucun.demo import AS_OF

    database = config["database"]
    reps = config["reps"]
    totals: list[float] = []
    queries: list[int] = []
    per_rule: dict[str, list[float]] = {}
    rule_queries: dict[str, list[int]] = {}
    findings: dict[str, int] = {}
    clauses: dict[str, str] = {}
    list(run_rules(AS_OF))  # warm-up: caches and statistics, not timed
    for _ in range(reps):
        with counting(connection) as counter:
            started = time.perf_counter()
            for run in run_rules(AS_OF):
                code = run.rule.code
                per_rule.setdefault(code, []).append(run.seconds * 1000)
                rule_queries.setdefault(code, []).append(counter.take())
                findings[code] = len(run.findings)
                clauses[code] = run.rule.clause
            totals.append(time.perf_counter() - started)
            queries.append(counter.count)

    figure = summary(totals, unit="s", digits=2)
    figure["queries"] = queries[-1]
    figure["queries_stable"] = len(set(queries)) == 1
    figure["rules"] = len(per_rule)
    figure["findings"] = sum(findings.values())
    rules = [
        {
            "code": code,
            "clause": clauses[code],
            "ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1),
            "queries": rule_queries[code][-1],
            "findings": findings[code],
        }
        for code, times in per_rule.items()
    ]
    results = [
        Result(
            group="compliance",
            name="compliance.total",
            label="全省合规检查（全部规则）",
            database=database,
            figure=figure,
            goal=goal(f"< {GOAL_SECONDS:g} s", figure["value"] < GOAL_SECONDS),
            details={"rules": rules},
        )
    ]
    for code, (build, meaning) in ANCHORS.items():
        if code not in per_rule:
            continue
        sql, params = build(AS_OF)
        count = _scalar(connection, sql, params)
        anchor_times = timed(
            lambda sql=sql, params=params: _scalar(connection, sql, params),
            repeat=reps,
            warmup=1,
            scale=1000,
        )
        rule_figure = summary(per_rule[code], unit="ms")
        rule_figure["queries"] = rule_queries[code][-1]
        rule_figure["findings"] = findings[code]
        anchor = summary(anchor_times, unit="ms") | {
            "label": meaning,
            "count": count,
            "agrees": count == findings[code],
        }
        results.append(
            Result(
                group="compliance",
                name=f"compliance.rule.{code}",
                label=f"规则 {code}",
                database=database,
                figure=rule_figure,
                anchor=anchor,
                ratio=ratio(rule_figure["value"], anchor["value"]),
                ratio_means="规则用时 / 一条 SQL 用时",
            )
        )
    results.append(_snapshot(config))
    return results


def _snapshot(config: dict) -> Result:
    """The nightly refresh of the compliance snapshot, timed."""
    name, label = "compliance.snapshot", "合规快照刷新（夜间任务，全省）"
    database = config["database"]
    try:
        from compliance.services import compliance_refresh
    except ImportError as exc:
        return unavailable(
            "compliance", name, label, database, f"合规快照尚未实现（{exc}）"
        )
    from zhucun.demo import AS_OF

    times = timed(
        lambda: compliance_refresh(as_of=AS_OF), repeat=min(config["reps"], 3)
    )
    return Result(
        "compliance", name, label, database, figure=summary(times, unit="s", digits=2)
    )
