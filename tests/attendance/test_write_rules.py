"""The locked month: one rule (attendance.write_rules), one message, on every path.

Once the township has submitted November, a change to November's attendance is
refused alike on the grid page, through the API and in the 月度考勤表 import,
and nothing is written (stored days and audit entries unchanged).
"""

import pytest
from rest_framework.test import APIClient

from attendance.models import AttendanceSubmission, MonthlyAttendance
from attendance.services import attendance_grid_save, attendance_submit
from attendance.write_rules import locked_message
from tests.attendance.conftest import MONTH
from tests.attendance.test_grid import GRID, _entries, _post_data
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from zhucun.models import AuditEntry


@pytest.fixture
def locked(place, clerk):
    attendance_grid_save(
        user=clerk, township=place.township, month=MONTH, entries=_entries(place)
    )
    return attendance_submit(user=clerk, township=place.township, month=MONTH)


def _page(place, clerk, client, tmp_path):
    client.force_login(clerk)
    changed = _post_data(place, {place.members[0].pk: (10, 0, 0, "")})
    response = client.post(GRID, changed)
    assert response.status_code == 400
    return response.content.decode()


def _api(place, clerk, client, tmp_path):
    api = APIClient()
    api.force_authenticate(clerk)
    body = {
        "township": place.township.code,
        "month": "2019-11",
        "rows": [{"membership": place.members[0].pk, "in_post_days": 10}],
    }
    response = api.post("/api/v1/attendance/grid/", body, format="json")
    assert response.status_code == 400, response.content
    (message,) = response.json()["fields"]["month"]
    return message


def _import(place, clerk, client, tmp_path):
    member = place.members[0]
    row = {
        "姓名": member.person.name,
        "身份证号码": member.person.id_number,
        "年月": "2019年11月",
        "在岗天数": 10,
    }
    path = write_xlsx(tmp_path / "a.xlsx", table("attendance", [row]))
    code, output = run("import_xlsx", "attendance", path)
    assert code == 1, output
    (message,) = [m for _r, column, m in error_lines(output) if column == "年月"]
    return message


PATHS = {"page": _page, "api": _api, "import": _import}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_submitted_month_refuses_changes_alike_on_every_path(
    path, place, clerk, client, tmp_path, locked
):
    message = locked_message(month=MONTH, submitted_at=locked.submitted_at)
    stored = dict(MonthlyAttendance.objects.values_list("pk", "in_post_days"))
    entries = AuditEntry.objects.count()

    refused = PATHS[path](place, clerk, client, tmp_path)

    assert message in refused
    assert "报送锁定，不能再修改；如需更正，请县委组织部退回" in message
    assert dict(MonthlyAttendance.objects.values_list("pk", "in_post_days")) == stored
    assert AuditEntry.objects.count() == entries
    assert AttendanceSubmission.objects.get(pk=locked.pk).submitted_at is not None
