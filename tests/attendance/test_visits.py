"""Quarterly household visits: the log, the coverage computed from it, the gaps."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attendance.models import HouseholdVisit
from attendance.services import household_visit_create
from tests.factories import HouseholdFactory
from zhucun.models import AuditEntry
from zhucun.periods import Quarter

D = datetime.date
Q4 = Quarter(2019, 4)
NOV_5 = D(2019, 11, 5)


def _visit(place, household, member=None, day=NOV_5):
    team = place.teams[0] if household.village == place.villages[0] else place.teams[1]
    member = member or next(m for m in place.members if m.team_id == team.pk)
    return HouseholdVisit.objects.create(
        team=team, household=household, membership=member, visited_on=day
    )


def test_a_clerk_logs_a_visit_and_it_is_audited(client, clerk, place):
    client.force_login(clerk)
    team, household, member = place.teams[0], place.households[1], place.members[2]

    response = client.post(
        reverse("attendance:team-visits", args=[team.pk]) + "?quarter=2019Q4",
        {
            "visited_on": "2019-12-02",
            "membership": member.pk,
            "household": household.pk,
            "notes": "了解务工情况",
        },
    )

    assert response.status_code == 302
    visit = HouseholdVisit.objects.get()
    assert (visit.team, visit.household, visit.membership) == (team, household, member)
    entry = AuditEntry.objects.get(model="attendance.householdvisit")
    assert entry.actor == clerk
    assert entry.changes["household_id"] == [None, household.pk]


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"household": "other_village"}, "household", "不是本工作队的走访对象"),
        ({"membership": "other_team"}, "membership", "不是本工作队的队员"),
        ({"visited_on": D(2020, 1, 2)}, "visited_on", "走访日期不能晚于今天"),
        ({"visited_on": D(2018, 1, 2)}, "visited_on", "不在工作队的派驻期内"),
    ],
)
def test_a_visit_that_cannot_be_is_refused(clerk, place, change, field, message):
    values = {
        "team": place.teams[0],
        "household": place.households[0],
        "membership": place.members[0],
        "visited_on": D(2019, 12, 1),
    }
    if change.get("household") == "other_village":
        values["household"] = place.households[4]
    elif change.get("membership") == "other_team":
        values["membership"] = place.members[1]
    else:
        values.update(change)

    with pytest.raises(ValidationError) as excinfo:
        household_visit_create(user=clerk, **values)

    assert message in " ".join(excinfo.value.message_dict[field])
    assert not HouseholdVisit.objects.exists()


def test_the_same_visit_twice_is_refused(clerk, place):
    values = {
        "team": place.teams[0],
        "household": place.households[0],
        "membership": place.members[0],
        "visited_on": D(2019, 12, 1),
    }
    household_visit_create(user=clerk, **values)

    with pytest.raises(ValidationError, match="已经记录过了"):
        household_visit_create(user=clerk, **values)


def test_coverage_counts_distinct_households_and_priority_ones(
    client, clerk, place, django_assert_num_queries
):
    # Village 0: three households, the first a 困难家庭 (必访), visited twice.
    _visit(place, place.households[0])
    _visit(place, place.households[0], day=D(2019, 12, 1))
    _visit(place, place.households[1])
    _visit(place, place.households[2], day=D(2019, 9, 30))  # the quarter before
    _visit(place, place.households[3])
    client.force_login(clerk)

    # session, user, permissions (2), scope, count, teams with their counts,
    # the bell, session save (3)
    with django_assert_num_queries(11):
        response = client.get(reverse("attendance:coverage"), {"quarter": "2019Q4"})

    teams = {t.pk: t for t in response.context["page"]}
    first, second = teams[place.teams[0].pk], teams[place.teams[1].pk]
    assert (first.visited, first.households) == (2, 3)
    assert (first.priority_visited, first.priority) == (1, 1)
    assert (second.visited, second.households) == (1, 2)
    assert (second.priority_visited, second.priority) == (0, 0)


def test_the_team_page_marks_each_priority_household(client, clerk, place):
    priority = HouseholdFactory(village=place.villages[0], has_critical_patient=True)
    _visit(place, place.households[0])
    client.force_login(clerk)

    response = client.get(
        reverse("attendance:team-visits", args=[place.teams[0].pk]),
        {"quarter": "2019Q4"},
    )

    marks = {h.pk: h.last_visit for h in response.context["priority"]}
    assert marks == {place.households[0].pk: D(2019, 11, 5), priority.pk: None}
    assert "未走访" in response.content.decode()


def test_the_unvisited_list_pages_through_the_gaps(client, clerk, place):
    extra = [HouseholdFactory(village=place.villages[1]) for _ in range(55)]
    _visit(place, place.households[0])
    client.force_login(clerk)

    first = client.get(reverse("attendance:unvisited"), {"quarter": "2019Q4"})
    second = client.get(
        reverse("attendance:unvisited"), {"quarter": "2019Q4", "page": 2}
    )

    listed = [h.pk for h in first.context["page"]] + [
        h.pk for h in second.context["page"]
    ]
    expected = {h.pk for h in place.households[1:]} | {h.pk for h in extra}
    assert len(listed) == len(expected) == 59
    assert set(listed) == expected
    assert first.context["page"].paginator.num_pages == 2


def test_the_unvisited_export_writes_formula_like_names_as_text(client, clerk, place):
    place.households[1].head_name = "=HYPERLINK(1)"
    place.households[1].save()
    client.force_login(clerk)

    response = client.get(
        reverse("attendance:unvisited-xlsx"),
        {"quarter": "2019Q4", "team": place.teams[0].pk},
    )

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    names = [row[3] for row in rows[2:]]
    assert sorted(names, key=str) == sorted(
        [h.head_name for h in place.households[:3]], key=str
    )
    cell = next(c for c in sheet["D"] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"


def test_another_countys_clerk_sees_no_visit_of_this_county(
    client, scoped_user, place, elsewhere
):
    _visit(place, place.households[0])
    client.force_login(scoped_user("county", "511002"))

    team_page = client.get(reverse("attendance:team-visits", args=[place.teams[0].pk]))
    gaps = client.get(reverse("attendance:unvisited"), {"quarter": "2019Q4"})
    coverage = client.get(reverse("attendance:coverage"), {"quarter": "2019Q4"})

    assert team_page.status_code == 404
    ours = {h.pk for h in place.households}
    assert not ours & {h.pk for h in gaps.context["page"]}
    assert {t.pk for t in coverage.context["page"]} == {t.pk for t in elsewhere.teams}
