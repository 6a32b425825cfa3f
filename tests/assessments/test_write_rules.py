"""The 20% 优秀 cap: one rule (assessments.write_rules), one message, on every path.

With the county's one 优秀 place taken, a second 优秀 is refused alike on the
grading page, through the API, in the admin and in the 年度考核 import, and
nothing is written (grades and audit entries unchanged).
"""

# ruff: noqa: F811  (the fixtures imported from yearly_factories are arguments)
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import Assessment
from assessments.services import assessment_grade
from assessments.write_rules import cap_message
from tests.assessments.test_yearly_grading import _post
from tests.assessments.yearly_factories import (  # noqa: F401 (fixtures)
    clerk,
    county_members,
    today,
)
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from zhucun.models import AuditEntry

EXCELLENT = Assessment.Grade.EXCELLENT


@pytest.fixture
def world(clerk, client, django_user_model, tmp_path):
    _secretaries, others = county_members(5)  # floor(20% × 5) = 1 优秀
    assessment_grade(membership=others[0], year=2019, grade=EXCELLENT)
    return {
        "second": others[1],
        "clerk": clerk,
        "client": client,
        "superuser": django_user_model.objects.create_superuser("root", "", "pw"),
        "tmp_path": tmp_path,
    }


def _page(world):
    response = _post(world["client"], {world["second"]: EXCELLENT})
    assert response.status_code == 200
    rows = {row.membership.pk: form for row, form in response.context["rows"]}
    return rows[world["second"].pk].errors["grade"]


def _api(world):
    api = APIClient()
    api.force_authenticate(world["clerk"])
    response = api.post(
        "/api/v1/assessments/",
        {"membership": world["second"].pk, "year": 2019, "grade": "excellent"},
        format="json",
    )
    assert response.status_code == 400, response.content
    return response.json()["fields"]["grade"]


def _admin(world):
    client = world["client"]
    client.force_login(world["superuser"])
    response = client.post(
        reverse("admin:assessments_assessment_add"),
        {
            "membership": world["second"].pk,
            "year": "2019",
            "kind": Assessment.Kind.ANNUAL,
            "grade": EXCELLENT,
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    return response.context["adminform"].form.errors["grade"]


def _import(world):
    person = world["second"].person
    row = {"身份证号码": person.id_number, "姓名": person.name, "年度": 2019}
    row["考核等次"] = "优秀"
    path = write_xlsx(world["tmp_path"] / "g.xlsx", table("assessments", [row]))
    code, output = run("import_xlsx", "assessments", path)
    assert code == 1, output
    return [m for _r, column, m in error_lines(output) if column == "考核等次"]


PATHS = {"page": _page, "api": _api, "admin": _admin, "import": _import}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_an_excellent_beyond_the_cap_is_refused_alike_on_every_path(world, path):
    message = cap_message(
        county="彭州市", year=2019, graded=1, cap=1, members=5, ratio=Decimal("0.2")
    )
    grades = list(Assessment.objects.values_list("pk", "person_id", "grade"))
    entries = AuditEntry.objects.count()

    refused = PATHS[path](world)

    assert len(refused) == 1 and refused[0].startswith(message)
    assert "彭州市2019年度优秀名额已满：已评优秀1人，上限1人" in message
    assert list(Assessment.objects.values_list("pk", "person_id", "grade")) == grades
    assert AuditEntry.objects.count() == entries
