"""Small worlds for the yearly cycle's tests (grading, training, letters, funds).

Teams come from ``tests.assessments.factories.staffed_team`` (the 2018—2020 term),
so every member served all of 2019. Pages are judged on ``TODAY`` unless a test
pins another day with ``settings.ZHUCUN_TODAY``.
"""

import datetime
import io

import openpyxl
import pytest

from tests.assessments.factories import PENGZHOU, ZHAOJUE, staffed_team

D = datetime.date
TODAY = D(2019, 12, 31)
OTHER = ZHAOJUE  # the other county of the negative tests


def county_members(members: int, code: str = PENGZHOU):
    """Teams in ``code`` with ``members`` members besides their first secretaries."""
    secretaries, others = [], []
    while len(others) < members:
        size = min(4, members - len(others) + 1)
        _, team = staffed_team(code, size=size)
        secretaries.append(team[0])
        others.extend(team[1:])
    return secretaries, others


def workbook_rows(response) -> list[tuple]:
    """The rows of an exported workbook's first sheet (title line included)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def workbook_cells(response):
    """The cells of an exported workbook's first sheet, to check their types."""
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [cell for row in book.worksheets[0].iter_rows() for cell in row]


@pytest.fixture
def today(settings):
    settings.ZHUCUN_TODAY = TODAY
    return TODAY


@pytest.fixture
def clerk(scoped_user, client, today):
    """彭州市's organisation department, logged in."""
    user = scoped_user("county", PENGZHOU)
    client.force_login(user)
    return user


@pytest.fixture
def other_clerk(scoped_user, today):
    """昭觉县's organisation department (the other county)."""
    return scoped_user("county", OTHER)
