"""Server time of pages and API endpoints, in process, beside one SQL statement each.

Each page is requested with Django's test ``Client`` as the account it is meant
for (province, county or township staff, see ``bench.accounts``; API calls with a
token), warmed up twice, then timed ``runs`` times: median, p95, min and max in
milliseconds, and the statements each request ran (sessions and permission checks
included). The time
covers URL routing, middleware, the view, the queries and the rendering of the
template or JSON; not the network or the WSGI server (see ``bench.load`` for that).

The anchor of a page is one hand-written SQL statement that returns what the page
shows: the same rows of its first page with the same columns, and the same count.
The ratio page / anchor tells how much the framework, the ORM, the access checks
and the rendering add to the floor the database sets. Where the page's ids can be
read back (API JSON, the admin's row checkboxes), ``agrees`` says whether the
anchor found the same rows.
"""

from __future__ import annotations

import calendar
import datetime
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from bench import accounts
from bench.instruments import counting
from bench.stats import Result, goal, ratio, summary, timed, unavailable

PAGE_GOAL_MS = 150.0
GRID_GOAL_MS = 100.0
API_COUNT_CAP = 10_000  # zhucun.pagination.DEFAULT_COUNT_CAP
PAGE_ROWS = 50


@dataclass
class Scene:
    """The values the pages and their anchors need, read once from the database."""

    today: datetime.date
    month_first: datetime.date
    month_last: datetime.date
    county_path: str
    county_id: int
    township_id: int
    township_code: str
    village_id: int


def _in_post(alias: str) -> str:
    """In post on a day (two parameters: the day, twice)."""
    return (
        f"{alias}.start_date <= %s "
        f"AND ({alias}.end_date IS NULL OR {alias}.end_date >= %s)"
    )


# --- anchors: one statement each ---------------------------------------------------
def home_anchor(scene: Scene, scoped: bool):
    """The home page's three counts: poor villages, teams and members in post."""
    day = scene.today
    if not scoped:
        sql = f"""
            SELECT
              (SELECT COUNT(*) FROM villages_village v WHERE v.is_registered_poor),
              (SELECT COUNT(*) FROM teams_team t WHERE {_in_post("t")}),
              (SELECT COUNT(*) FROM teams_membership m WHERE {_in_post("m")})
        """
        return sql, [day, day, day, day]
    sql = f"""
        SELECT
          (SELECT COUNT(*) FROM villages_village v
             JOIN villages_region r ON r.id = v.township_id
             WHERE v.is_registered_poor AND r.path LIKE %s),
          (SELECT COUNT(*) FROM teams_team t
             JOIN villages_village v ON v.id = t.village_id
             JOIN villages_region r ON r.id = v.township_id
             WHERE {_in_post("t")} AND r.path LIKE %s),
          (SELECT COUNT(*) FROM teams_membership m
             JOIN teams_team t ON t.id = m.team_id
             JOIN villages_village v ON v.id = t.village_id
             JOIN villages_region r ON r.id = v.township_id
             WHERE {_in_post("m")} AND r.path LIKE %s)
    """
    like = scene.county_path + "%"
    return sql, [like, day, day, like, day, day, like]


def villages_anchor(scene: Scene, *, api: bool):
    """Villages with township, county and prefecture names, and the row count."""
    households = (
        ""
        if api
        else "(SELECT COUNT(*) FROM villages_household h WHERE h.village_id = v.id),"
    )
    sql = f"""
        SELECT v.id, v.name, v.code, tw.name, c.name, p.name, v.is_registered_poor,
          v.is_extremely_poor, v.household_count, {households}
          v.planned_exit_year, v.actual_exit_year, {_total("villages_village", api)}
        FROM villages_village v
        JOIN villages_region tw ON tw.id = v.township_id
        JOIN villages_region c ON c.id = v.county_id
        LEFT JOIN villages_region p ON p.id = c.parent_id
        ORDER BY v.county_id, v.township_id, v.name{"" if api else ", v.id DESC"}
        LIMIT {PAGE_ROWS}
    """
    return sql, []


def _total(table: str, api: bool, where: str = "") -> str:
    """The page's row count: exact on an admin list, capped on an API list."""
    if api:
        return (
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} {where} "
            f"LIMIT {API_COUNT_CAP + 1}) capped)"
        )
    return f"(SELECT COUNT(*) FROM {table} {where})"


def teams_anchor(scene: Scene, *, api: bool, scoped: bool = False):
    """Teams with village, county and term, members in post and first secretary."""
    day = scene.today
    params: list = []
    where = ""
    total = _total("teams_team", api)
    if scoped:
        where = "WHERE tw.path LIKE %s"
        total = """(SELECT COUNT(*) FROM teams_team t2
            JOIN villages_village v2 ON v2.id = t2.village_id
            JOIN villages_region r2 ON r2.id = v2.township_id
            WHERE r2.path LIKE %s)"""
    extra = ""
    if not api:
        extra = f"""
          (SELECT COUNT(*) FROM teams_membership m
             WHERE m.team_id = t.id AND {_in_post("m")}),
          (SELECT p.name FROM teams_membership m
             JOIN teams_person p ON p.id = m.person_id
             WHERE m.team_id = t.id AND m.role = 'first_secretary'
               AND {_in_post("m")}
             ORDER BY m.start_date LIMIT 1),"""
        params += [day, day, day, day]
    if scoped:
        params.append(scene.county_path + "%")
    sql = f"""
        SELECT t.id, t.name, v.name, tw.name, c.name, term.name, t.start_date,
          t.end_date, {extra} {total}
        FROM teams_team t
        JOIN villages_village v ON v.id = t.village_id
        JOIN villages_region tw ON tw.id = v.township_id
        JOIN villages_region c ON c.id = v.county_id
        JOIN teams_term term ON term.id = t.term_id
        {where}
        ORDER BY t.village_id, t.start_date{"" if api else ", t.id DESC"}
        LIMIT {PAGE_ROWS}
    """
    if scoped:
        params.append(scene.county_path + "%")
    return sql, params


def people_anchor(scene: Scene, *, api: bool):
    """People with their unit (and, on the admin page, the village they serve)."""
    day = scene.today
    serving = ""
    params: list = []
    if not api:
        serving = f"""
          (SELECT v.name FROM teams_membership m
             JOIN teams_team t ON t.id = m.team_id
             JOIN villages_village v ON v.id = t.village_id
             WHERE m.person_id = p.id AND {_in_post("m")}
             ORDER BY m.team_id, m.role, m.start_date LIMIT 1),"""
        params = [day, day]
    sql = f"""
        SELECT p.id, p.name, p.id_number, p.gender, p.birth_date, p.political_status,
          u.name, p.rank, p.on_staff, p.phone, {serving} {_total("teams_person", api)}
        FROM teams_person p LEFT JOIN teams_unit u ON u.id = p.unit_id
        ORDER BY p.name, p.id
        LIMIT {PAGE_ROWS}
    """
    return sql, params


def memberships_anchor(scene: Scene, *, api: bool):
    """Memberships with person, unit, village and county."""
    sql = f"""
        SELECT m.id, p.name, m.role, m.is_leader, u.name, v.name, c.name,
          m.start_date, m.end_date, {_total("teams_membership", api)}
        FROM teams_membership m
        JOIN teams_person p ON p.id = m.person_id
        JOIN teams_unit u ON u.id = m.unit_id
        JOIN teams_team t ON t.id = m.team_id
        JOIN villages_village v ON v.id = t.village_id
        JOIN villages_region c ON c.id = v.county_id
        ORDER BY m.team_id, m.role, m.start_date
        LIMIT {PAGE_ROWS}
    """
    return sql, []


def attendance_anchor(scene: Scene, *, api: bool = False):
    """Attendance rows, latest month first, with person, village and county."""
    sql = f"""
        SELECT a.id, p.name, v.name, c.name, a.month, a.in_post_days, a.leave_days,
          a.trip_days, a.remark, (SELECT COUNT(*) FROM attendance_monthlyattendance)
        FROM attendance_monthlyattendance a
        JOIN teams_membership m ON m.id = a.membership_id
        JOIN teams_person p ON p.id = m.person_id
        JOIN teams_team t ON t.id = m.team_id
        JOIN villages_village v ON v.id = t.village_id
        JOIN villages_region c ON c.id = v.county_id
        ORDER BY a.month DESC, a.membership_id, a.id DESC
        LIMIT {PAGE_ROWS}
    """
    return sql, []


def village_detail_anchor(scene: Scene, *, api: bool = True):
    sql = """
        SELECT v.id, v.name, v.code, tw.name, c.name, p.name, v.is_registered_poor,
          v.household_count, v.planned_exit_year, v.actual_exit_year
        FROM villages_village v
        JOIN villages_region tw ON tw.id = v.township_id
        JOIN villages_region c ON c.id = v.county_id
        LEFT JOIN villages_region p ON p.id = c.parent_id
        WHERE v.id = %s
    """
    return sql, [scene.village_id]


def county_villages_anchor(scene: Scene, *, api: bool = True):
    """The county's villages (``?region=``: the region's descendants)."""
    sql = f"""
        SELECT v.id, v.name, v.code, tw.name, c.name, p.name, v.household_count,
          (SELECT COUNT(*) FROM (SELECT 1 FROM villages_village v2
             JOIN villages_region r2 ON r2.id = v2.township_id
             WHERE r2.path LIKE %s LIMIT {API_COUNT_CAP + 1}) capped)
        FROM villages_village v
        JOIN villages_region tw ON tw.id = v.township_id
        JOIN villages_region c ON c.id = v.county_id
        LEFT JOIN villages_region p ON p.id = c.parent_id
        WHERE tw.path LIKE %s
        ORDER BY v.county_id, v.township_id, v.name
        LIMIT {PAGE_ROWS}
    """
    like = scene.county_path + "%"
    return sql, [like, like]


def grid_anchor(scene: Scene, *, api: bool = False):
    """The township's members in post in the month, with their attendance row."""
    sql = f"""
        SELECT m.id, p.name, m.role, v.name, a.in_post_days, a.leave_days,
          a.trip_days, a.remark
        FROM teams_membership m
        JOIN teams_person p ON p.id = m.person_id
        JOIN teams_team t ON t.id = m.team_id
        JOIN villages_village v ON v.id = t.village_id
        LEFT JOIN attendance_monthlyattendance a
          ON a.membership_id = m.id AND a.month = %s
        WHERE v.township_id = %s AND {_in_post("m")}
        ORDER BY v.name, m.role, p.name
    """
    return sql, [
        scene.month_first,
        scene.township_id,
        scene.month_last,
        scene.month_first,
    ]


def dashboard_anchor(scene: Scene, *, api: bool = False):
    """Per prefecture: poor villages, those with a team in post, teams and members."""
    day = scene.today
    sql = f"""
        SELECT c.parent_id,
          COUNT(DISTINCT CASE WHEN v.is_registered_poor THEN v.id END),
          COUNT(DISTINCT CASE WHEN v.is_registered_poor AND t.id IS NOT NULL
                THEN v.id END),
          COUNT(DISTINCT t.id),
          COUNT(m.id)
        FROM villages_village v
        JOIN villages_region c ON c.id = v.county_id
        LEFT JOIN teams_team t ON t.village_id = v.id AND {_in_post("t")}
        LEFT JOIN teams_membership m ON m.team_id = t.id AND {_in_post("m")}
        GROUP BY c.parent_id
        ORDER BY c.parent_id
    """
    return sql, [day, day, day, day]


def workbench_anchor(scene: Scene, *, api: bool = False):
    """The county's teams in post, with their township, village and members in post."""
    day = scene.today
    sql = f"""
        SELECT t.id, tw.name, v.name,
          (SELECT COUNT(*) FROM teams_membership m
             WHERE m.team_id = t.id AND {_in_post("m")})
        FROM teams_team t
        JOIN villages_village v ON v.id = t.village_id
        JOIN villages_region tw ON tw.id = v.township_id
        WHERE v.county_id = %s AND {_in_post("t")}
        ORDER BY tw.code, v.name
    """
    return sql, [day, day, scene.county_id, day, day]


def township_anchor(scene: Scene, *, api: bool = False):
    """The township's teams in post: households, and those visited this quarter."""
    day = scene.today
    first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    sql = f"""
        SELECT t.id, v.name,
          (SELECT COUNT(*) FROM villages_household h WHERE h.village_id = v.id),
          (SELECT COUNT(DISTINCT hv.household_id) FROM attendance_householdvisit hv
             WHERE hv.team_id = t.id AND hv.visited_on BETWEEN %s AND %s)
        FROM teams_team t
        JOIN villages_village v ON v.id = t.village_id
        WHERE v.township_id = %s AND {_in_post("t")}
        ORDER BY v.name
    """
    return sql, [first, day, scene.township_id, day, day]


def compliance_anchor(scene: Scene, *, api: bool = False):
    """The snapshot's findings counted per rule and severity."""
    sql = """
        SELECT rule, severity, COUNT(*) FROM assessments_findingrecord
        GROUP BY rule, severity
    """
    return sql, []


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    user: str
    path: str
    api: bool = False
    anchor: Callable | None = None
    anchor_label: str = ""
    goal_ms: float | None = PAGE_GOAL_MS
    # Whether the page's ordering is total: if not, rows tied at the same place
    # may come in either order, and the anchor is compared as a set of rows.
    total_order: bool = True


PAGES = (
    Page(
        "page.home.province",
        "首页（省级账号，?stay=1 不跳转）",
        accounts.PROVINCE,
        "/?stay=1",
        anchor=lambda s: home_anchor(s, scoped=False),
        anchor_label="一条 SQL：贫困村、在驻工作队、在任队员三个计数",
    ),
    Page(
        "page.home.county",
        "首页（县级账号，昭觉县，?stay=1 不跳转）",
        accounts.COUNTY,
        "/?stay=1",
        anchor=lambda s: home_anchor(s, scoped=True),
        anchor_label="一条 SQL：本县的三个计数",
    ),
    Page(
        "page.dashboard.province",
        "全省仪表盘（省级账号）",
        accounts.PROVINCE,
        "/dashboards/510000/",
        anchor=dashboard_anchor,
        anchor_label="一条 SQL：各市（州）的贫困村、有在驻工作队的村、在驻工作队、在任队员数",
    ),
    Page(
        "page.workbench.county",
        "县工作台（县级账号，昭觉县）",
        accounts.COUNTY,
        "/dashboards/workbench/513431/",
        anchor=workbench_anchor,
        anchor_label="一条 SQL：本县在驻工作队及其乡镇、村和在任人数",
    ),
    Page(
        "page.township",
        "乡镇页面（在任队员最多的乡镇）",
        accounts.TOWNSHIP,
        "/dashboards/township/{township_code}/",
        anchor=township_anchor,
        anchor_label="一条 SQL：本乡镇在驻工作队的农户数和本季度已走访户数",
    ),
    Page(
        "page.admin.villages",
        "后台列表：村（省级）",
        accounts.PROVINCE,
        "/admin/villages/village/",
        anchor=lambda s: villages_anchor(s, api=False),
        anchor_label="一条 SQL：第一页50个村及乡镇、县、市名和农户数，加总数",
    ),
    Page(
        "page.admin.teams",
        "后台列表：工作队（省级）",
        accounts.PROVINCE,
        "/admin/teams/team/",
        anchor=lambda s: teams_anchor(s, api=False),
        anchor_label="一条 SQL：第一页50支队及在任人数、第一书记，加总数",
    ),
    Page(
        "page.admin.people",
        "后台列表：干部（省级）",
        accounts.PROVINCE,
        "/admin/teams/person/",
        anchor=lambda s: people_anchor(s, api=False),
        anchor_label="一条 SQL：第一页50名干部及单位、驻村，加总数",
    ),
    Page(
        "page.admin.attendance",
        "后台列表：月度考勤（省级）",
        accounts.PROVINCE,
        "/admin/attendance/monthlyattendance/",
        anchor=attendance_anchor,
        anchor_label="一条 SQL：最近月份的前50条考勤及姓名、村、县，加总数",
    ),
    Page(
        "page.admin.teams.county",
        "后台列表：工作队（县级，昭觉县）",
        accounts.COUNTY,
        "/admin/teams/team/",
        anchor=lambda s: teams_anchor(s, api=False, scoped=True),
        anchor_label="一条 SQL：本县第一页50支队，加本县总数",
    ),
    Page(
        "page.attendance.grid",
        "乡镇月度考勤表（在任队员最多的乡镇）",
        accounts.TOWNSHIP,
        "/attendance/grid/",
        anchor=grid_anchor,
        anchor_label="一条 SQL：本乡镇当月在任队员及其考勤",
        goal_ms=GRID_GOAL_MS,
    ),
    Page(
        "page.compliance",
        "合规检查页（省级）",
        accounts.PROVINCE,
        "/compliance/",
        anchor=compliance_anchor,
        anchor_label="一条 SQL：快照中的问题按规则和级别计数",
    ),
    Page(
        "api.villages.list",
        "API 列表：村",
        accounts.PROVINCE,
        "/api/v1/villages/",
        api=True,
        anchor=lambda s: villages_anchor(s, api=True),
        anchor_label="一条 SQL：第一页50个村及所属区划，加封顶计数",
        goal_ms=None,
    ),
    Page(
        "api.teams.list",
        "API 列表：工作队",
        accounts.PROVINCE,
        "/api/v1/teams/",
        api=True,
        anchor=lambda s: teams_anchor(s, api=True),
        anchor_label="一条 SQL：第一页50支队及村、期次，加封顶计数",
        goal_ms=None,
    ),
    Page(
        "api.people.list",
        "API 列表：干部",
        accounts.PROVINCE,
        "/api/v1/people/",
        api=True,
        anchor=lambda s: people_anchor(s, api=True),
        anchor_label="一条 SQL：第一页50名干部及单位，加封顶计数",
        goal_ms=None,
    ),
    Page(
        "api.memberships.list",
        "API 列表：队员任职",
        accounts.PROVINCE,
        "/api/v1/memberships/",
        api=True,
        anchor=lambda s: memberships_anchor(s, api=True),
        anchor_label="一条 SQL：第一页50条任职及姓名、单位、村、县，加封顶计数",
        goal_ms=None,
        total_order=False,
    ),
    Page(
        "api.villages.county",
        "API 列表：昭觉县的村（?region=513431）",
        accounts.PROVINCE,
        "/api/v1/villages/?region=513431",
        api=True,
        anchor=county_villages_anchor,
        anchor_label="一条 SQL：该县第一页50个村，加封顶计数",
        goal_ms=None,
    ),
    Page(
        "api.villages.detail",
        "API 详情：一个村",
        accounts.PROVINCE,
        "/api/v1/villages/{village_id}/",
        api=True,
        anchor=village_detail_anchor,
        anchor_label="一条 SQL：按 id 读一个村及所属区划",
        goal_ms=None,
    ),
)


# --- measuring -----------------------------------------------------------------------
def load_scene() -> Scene:
    """Read the scene, and make the benchmark's accounts (``bench.accounts``)."""
    from villages.models import Region, Village
    from zhucun import clock

    today = clock.today()
    month_first = today.replace(day=1)
    next_month = (month_first + datetime.timedelta(days=32)).replace(day=1)
    township = accounts.provision(today)["township"]
    zhaojue = Region.objects.get(code=accounts.ZHAOJUE)
    ids = list(Village.objects.order_by("id").values_list("id", flat=True))
    return Scene(
        today=today,
        month_first=month_first,
        month_last=next_month - datetime.timedelta(days=1),
        county_path=zhaojue.path,
        county_id=zhaojue.pk,
        township_id=township.pk,
        township_code=township.code,
        village_id=ids[len(ids) // 2],
    )


def _path(page: Page, scene: Scene) -> str:
    return page.path.format(
        village_id=scene.village_id, township_code=scene.township_code
    )


def _missing_route(path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return f"{path.split('?', 1)[0]} 尚未实现（没有这个网址）"
    return None


class Visitors:
    """One test client per account: logged in for pages, a token for the API."""

    def __init__(self):
        self._clients = {}
        self._tokens = {}

    def get(self, page: Page, path: str):
        """A call that GETs ``path`` as the page's account."""
        if page.api:
            from django.test import Client

            if page.user not in self._tokens:
                self._tokens[page.user] = accounts.tokens([page.user])[0]
            header = {"HTTP_AUTHORIZATION": f"Token {self._tokens[page.user]}"}
            client = self._clients.setdefault(("api", page.user), Client())
            return lambda: client.get(path, **header)
        client = self.client_for(page.user)
        return lambda: client.get(path)

    def client_for(self, username: str):
        """A test client logged in as the account (the same one each time)."""
        from django.test import Client

        client = self._clients.get(username)
        if client is None:
            client = self._clients[username] = Client()
            client.force_login(accounts.user(username))
        return client


# The link of each row of an admin changelist: <th class="field-…"><a href="…/ID/change/">
_ADMIN_ROW = re.compile(rb'<th class="field-[^"]*"><a href="[^"]*/(\d+)/change/')


def _shown_ids(page: Page, response) -> tuple[list[int] | None, int | None]:
    """The ids of the rows the response shows, and its count, when readable."""
    if page.api:
        data = response.json()
        if "results" in data:
            return [row["id"] for row in data["results"]], data.get("count")
        return [data["id"]], None
    found = _ADMIN_ROW.findall(response.content)
    return ([int(x) for x in found] or None), None


def _run_anchor(connection, sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _measure_page(page: Page, scene: Scene, visitors: Visitors, config: dict):
    from django.db import connection

    database = config["database"]
    runs = config["page_runs"]
    path = _path(page, scene)
    missing = _missing_route(path)
    if missing:
        return unavailable("pages", page.name, page.label, database, missing)
    request = visitors.get(page, path)
    for _ in range(2):
        response = request()
    if response.status_code != 200:
        return Result(
            "pages",
            page.name,
            page.label,
            database,
            status="error",
            reason=f"GET {path} → HTTP {response.status_code}",
        )
    times, queries = [], []
    for _ in range(runs):
        with counting(connection) as counter:
            times.extend(timed(request, repeat=1, scale=1000))
        queries.append(counter.count)
    figure = summary(times, unit="ms")
    figure["queries"] = queries[-1]
    figure["queries_stable"] = len(set(queries)) == 1
    result = Result(
        "pages", page.name, page.label, database, figure=figure, details={"path": path}
    )
    if page.goal_ms is not None:
        result.goal = goal(
            f"中位数 < {page.goal_ms:g} ms", figure["value"] < page.goal_ms
        )
    if page.anchor is None:
        result.details["anchor"] = "尚未为此页写基准 SQL"
        return result
    sql, params = page.anchor(scene)
    rows = _run_anchor(connection, sql, params)
    anchor_times = timed(
        lambda: _run_anchor(connection, sql, params), repeat=runs, warmup=1, scale=1000
    )
    anchor = summary(anchor_times, unit="ms", digits=3) | {
        "label": page.anchor_label,
        "rows": len(rows),
    }
    shown, count = _shown_ids(page, response)
    if shown is not None and rows:
        # An API count above the cap is the cap (count_capped); the anchor's
        # bounded count reads one row more to know it.
        found = [row[0] for row in rows]
        same_rows = (
            found == shown if page.total_order else sorted(found) == sorted(shown)
        )
        anchor["agrees"] = same_rows and (
            count is None or min(rows[0][-1], API_COUNT_CAP) == count
        )
    result.anchor = anchor
    result.ratio = ratio(figure["value"], anchor["value"])
    result.ratio_means = "页面用时 / 一条 SQL 用时"
    return result


# --- the township grid's save ------------------------------------------------------
GRID_SAVE = ("page.attendance.grid.save", "乡镇月度考勤表：整表保存（一次请求）")
_GRID_CELL = re.compile(
    r'name="(m\d+-(?:in_post_days|leave_days|trip_days|remark))"'
    r' value="([^"]*)"'
)


def _open_month(township, today: datetime.date) -> datetime.date:
    """Today's month of the township, reopened if it was submitted (locked).

    The demo submits every month, so the month is reopened through the service, as
    the county would (``attendance_reopen``, audited): the save then really writes.
    """
    from attendance.models import AttendanceSubmission
    from attendance.services import attendance_reopen

    month = today.replace(day=1)
    locked = AttendanceSubmission.objects.filter(
        township=township, month=month, submitted_at__isnull=False
    ).exists()
    if locked:
        attendance_reopen(
            user=accounts.user(accounts.TOWNSHIP_COUNTY),
            township=township,
            month=month,
            reason="性能测试：测量整表保存",
        )
    return month


class GridSave:
    """The grid of the township clerk's open month, posted back whole.

    Every save changes every row (the remark alternates), so each request really
    writes the township's month: one upsert and the audit entries.
    """

    def __init__(self, scene: Scene, visitors: Visitors):
        from villages.models import Region

        self.township = Region.objects.get(pk=scene.township_id)
        self.month = _open_month(self.township, scene.today)
        self.rows: dict[int, dict[str, str]] = {}
        self.path = (
            f"/attendance/grid/?township={self.township.code}&month={self.month:%Y-%m}"
        )
        self.client = visitors.client_for(accounts.TOWNSHIP)
        page = self.client.get(self.path)
        if page.status_code != 200:
            raise RuntimeError(f"GET {self.path} → HTTP {page.status_code}")
        for name, value in _GRID_CELL.findall(page.content.decode()):
            membership, field = name[1:].split("-", 1)
            self.rows.setdefault(int(membership), {})[field] = html.unescape(value)
        days = calendar.monthrange(self.month.year, self.month.month)[1]
        for cells in self.rows.values():
            if not cells.get("in_post_days"):
                taken = sum(int(cells.get(f) or 0) for f in ("leave_days", "trip_days"))
                cells["in_post_days"] = str(max(0, days - taken))
        self.turn = 0

    def remark(self) -> str:
        self.turn += 1
        return f"基准测试{self.turn % 2}"

    def post(self):
        remark = self.remark()
        data = {"township": self.township.code, "month": f"{self.month:%Y-%m}"}
        for membership, cells in self.rows.items():
            for field, value in cells.items():
                data[f"m{membership}-{field}"] = remark if field == "remark" else value
        return self.client.post(self.path, data)

    def anchor(self, connection) -> None:
        """The same rows written by one INSERT … ON CONFLICT DO UPDATE."""
        from django.db import transaction

        remark = self.remark()
        values, params = [], []
        for membership, cells in sorted(self.rows.items()):
            values.append("(%s, %s, %s, %s, %s, %s)")
            params += [
                membership,
                self.month,
                int(cells["in_post_days"]),
                int(cells.get("leave_days") or 0),
                int(cells.get("trip_days") or 0),
                remark,
            ]
        sql = f"""
            INSERT INTO attendance_monthlyattendance
              (membership_id, month, in_post_days, leave_days, trip_days, remark)
            VALUES {", ".join(values)}
            ON CONFLICT (membership_id, month) DO UPDATE SET
              in_post_days = excluded.in_post_days, leave_days = excluded.leave_days,
              trip_days = excluded.trip_days, remark = excluded.remark
        """
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)


def _measure_grid_save(scene: Scene, visitors: Visitors, config: dict) -> Result:
    from django.db import connection

    name, label = GRID_SAVE
    database = config["database"]
    missing = _missing_route("/attendance/grid/")
    if missing:
        return unavailable("pages", name, label, database, missing)
    grid = GridSave(scene, visitors)
    if grid.month is None:
        return unavailable(
            "pages", name, label, database, "本乡镇近两年各月均已报送锁定"
        )
    if not grid.rows:
        return unavailable("pages", name, label, database, "本乡镇当月没有可录入的队员")
    for _ in range(2):
        response = grid.post()
    if response.status_code != 302:
        return Result(
            "pages",
            name,
            label,
            database,
            status="error",
            reason=f"POST {grid.path} → HTTP {response.status_code}（保存被拒绝）",
        )
    runs = min(config["page_runs"], 10)
    times, queries = [], []
    for _ in range(runs):
        with counting(connection) as counter:
            times.extend(timed(grid.post, repeat=1, scale=1000))
        queries.append(counter.count)
    figure = summary(times, unit="ms")
    figure["queries"] = queries[-1]
    figure["queries_stable"] = len(set(queries)) == 1
    figure["rows"] = len(grid.rows)
    anchor = summary(
        timed(lambda: grid.anchor(connection), repeat=runs, warmup=1, scale=1000),
        unit="ms",
        digits=3,
    ) | {
        "label": f"一条 SQL：同样 {len(grid.rows)} 行的 INSERT … ON CONFLICT DO UPDATE"
    }
    return Result(
        "pages",
        name,
        f"{label}，{len(grid.rows)} 人",
        database,
        figure=figure,
        anchor=anchor,
        ratio=ratio(figure["value"], anchor["value"]),
        ratio_means="保存用时 / 一条 SQL 用时",
        details={"path": grid.path},
    )


def measure(config: dict) -> list[Result]:
    only = set(config.get("pages") or [])
    scene = load_scene()
    visitors = Visitors()
    results = []
    measures = [
        (
            page.name,
            page.label,
            lambda page=page: _measure_page(page, scene, visitors, config),
        )
        for page in PAGES
    ]
    measures.append((*GRID_SAVE, lambda: _measure_grid_save(scene, visitors, config)))
    for name, label, measure_one in measures:
        if only and name not in only:
            continue
        try:
            results.append(measure_one())
        except Exception as exc:  # noqa: BLE001 - one page's failure is reported
            results.append(
                Result(
                    "pages",
                    name,
                    label,
                    config["database"],
                    status="error",
                    reason=f"{type(exc).__name__}: {exc}",
                )
            )
    return results


def _as_after_the_groups(as_of: datetime.date) -> None:
    """Bring a database to the state the groups before the pages leave behind.

    The rollup and the compliance snapshot fill tables that dashboards read; the
    small province must hold them too, or its pages would run other queries.
    """
    from bench.rollup import MONTH

    try:
        from attendance.rollups import attendance_rollup
    except ImportError:
        pass
    else:
        attendance_rollup(month=MONTH)
    try:
        from compliance.services import compliance_refresh
    except ImportError:
        pass
    else:
        compliance_refresh(as_of=as_of)


def count_queries(config: dict) -> dict[str, int]:
    """Statements per request of each page (and of the compliance run), once each."""
    from django.db import connection

    from compliance.rules import run_rules
    from zhucun.demo import AS_OF

    _as_after_the_groups(AS_OF)
    scene = load_scene()
    visitors = Visitors()
    counts = {}
    for page in PAGES:
        path = _path(page, scene)
        if _missing_route(path):
            continue
        request = visitors.get(page, path)
        request()
        with counting(connection) as counter:
            response = request()
        if response.status_code == 200:
            counts[page.name] = counter.count
    if not _missing_route("/attendance/grid/"):
        grid = GridSave(scene, visitors)
        if grid.rows:
            grid.post()
            with counting(connection) as counter:
                response = grid.post()
            if response.status_code == 302:
                counts[GRID_SAVE[0]] = counter.count
    list(run_rules(AS_OF))
    with counting(connection) as counter:
        list(run_rules(AS_OF))
    counts["compliance.total"] = counter.count
    return counts
