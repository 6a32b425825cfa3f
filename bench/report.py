"""The table printed at the end of a run: what, database, figure, anchor, ratio, goal."""

from __future__ import annotations

import unicodedata

HEADER = ("项目", "数据库", "结果", "基准", "比值", "目标")
DATABASE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit in ("行/秒", "req/s") or abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif unit == "s":
        text = f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def figure_text(figure: dict | None) -> str:
    if not figure:
        return ""
    unit = figure.get("unit", "")
    parts = [number(figure.get("value"), unit)]
    if unit == "req/s":
        parts.append(f"p50 {number(figure.get('p50_ms'))} ms")
        parts.append(f"p95 {number(figure.get('p95_ms'))} ms")
        if figure.get("errors") or figure.get("non2xx"):
            parts.append(f"错误 {figure.get('errors', 0) + figure.get('non2xx', 0)}")
    elif figure.get("stat") == "median" and figure.get("n", 1) > 1:
        if unit == "ms":
            parts.append(f"p95 {number(figure.get('p95'))}")
        parts.append(
            f"({number(figure.get('min'))}–{number(figure.get('max'))}, n={figure['n']})"
        )
    if unit == "行/秒" and figure.get("seconds") is not None:
        parts.append(f"{figure['seconds']:.1f} s")
    if figure.get("queries") is not None:
        queries = f"{figure['queries']} 查询"
        small = figure.get("queries_small")
        if small is not None:
            queries += f"（小省 {small}）"
        parts.append(queries)
    return " ".join(parts)


def anchor_text(anchor: dict | None) -> str:
    if not anchor:
        return ""
    text = number(anchor.get("value"), anchor.get("unit", ""))
    if anchor.get("agrees") is False:
        text += " ≠"
    return text


def ratio_text(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio:g}×"


def goal_text(goal: dict | None) -> str:
    if not goal:
        return ""
    mark = {True: "✓", False: "✗"}.get(goal.get("met"), "?")
    return f"{mark} {goal['text']}"


def rows(results: list[dict]) -> list[tuple[str, ...]]:
    table = []
    for r in results:
        database = DATABASE_NAMES.get(r["database"], r["database"])
        if r["status"] != "ok":
            status = "尚未实现" if r["status"] == "unavailable" else "出错"
            table.append((r["label"], database, f"{status}：{r['reason']}", "", "", ""))
            continue
        table.append(
            (
                r["label"],
                database,
                figure_text(r["figure"]),
                anchor_text(r["anchor"]),
                ratio_text(r["ratio"]),
                goal_text(r["goal"]),
            )
        )
    return table


def format_table(results: list[dict]) -> str:
    body = rows(results)
    widths = [max(width(row[i]) for row in [HEADER, *body]) for i in range(len(HEADER))]
    lines = []
    for n, row in enumerate([HEADER, *body]):
        lines.append("  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_rules(results: list[dict]) -> str:
    """Each rule's median milliseconds and statements, one column per database."""
    per_database = {
        r["database"]: {rule["code"]: rule for rule in r["details"].get("rules", [])}
        for r in results
        if r["name"] == "compliance.total" and r["status"] == "ok"
    }
    if not per_database:
        return ""
    databases = list(per_database)
    codes = list(next(iter(per_database.values())))
    header = ["规则", "条款"] + [
        f"{DATABASE_NAMES.get(d, d)} ms（查询）" for d in databases
    ]
    body = []
    for code in codes:
        first = per_database[databases[0]][code]
        cells = [code, first["clause"]]
        for database in databases:
            rule = per_database[database].get(code)
            cells.append(f"{rule['ms']:g}（{rule['queries']}）" if rule else "—")
        body.append(cells)
    widths = [max(width(row[i]) for row in [header, *body]) for i in range(len(header))]
    return "\n".join(
        "  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip()
        for row in [header, *body]
    )


def _cells(result: dict | None) -> list[str]:
    if result is None:
        return ["", "", ""]
    if result["status"] != "ok":
        status = "尚未实现" if result["status"] == "unavailable" else "出错"
        return [f"{status}：{result['reason']}", "", ""]
    return [
        figure_text(result["figure"]),
        anchor_text(result["anchor"]),
        ratio_text(result["ratio"]),
    ]


def format_markdown(document: dict) -> str:
    """The run's results side by side per database, as Markdown (for the README)."""
    m = document["machine"]
    databases = list(dict.fromkeys(r["database"] for r in document["results"]))
    by_name: dict[str, dict[str, dict]] = {}
    for r in document["results"]:
        by_name.setdefault(r["name"], {})[r["database"]] = r
    header = ["项目"]
    for database in databases:
        name = DATABASE_NAMES.get(database, database)
        header += [f"{name} 结果", "基准", "比值"]
    header.append(
        "目标（" + "/".join(DATABASE_NAMES.get(d, d) for d in databases) + "）"
    )
    lines = [
        f"{document['started_at']}，{document['mode']}，{document['villages']:,} 个村，"
        f"代码版本 `{document['code_version']}`；{m['nproc']} 核 {m['cpu']}，"
        f"内存 {m['memory_gib']} GiB，Python {m['python']}，SQLite {m['sqlite']}，"
        f"PostgreSQL {m.get('postgresql') or '—'}；"
        f"负载均值（1/5/15 分钟）开始时 {m.get('load_average_before')}，"
        f"结束时 {m.get('load_average')}。",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for per_database in by_name.values():
        first = next(iter(per_database.values()))
        cells = [first["label"]]
        goals = []
        for database in databases:
            result = per_database.get(database)
            cells += _cells(result)
            if result and result.get("goal"):
                goals.append(goal_text(result["goal"])[0])
        text = first["goal"]["text"] if first.get("goal") else ""
        cells.append(f"{text}：{'/'.join(goals)}" if text else "")
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.report [latest.json]``: print the run's table as Markdown."""
    import json
    import sys
    from pathlib import Path

    from bench.databases import ROOT

    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else ROOT / "var" / "bench" / "latest.json"
    print(format_markdown(json.loads(path.read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main()
