"""What the workbooks of other kinds share about people and memberships.

The attendance, training and grading imports name a cadre by 身份证号码 on each
row: these find the people the user may see (one scoped lookup for the whole
sheet), refuse a row whose number is unknown or outside the scope with the same
neutral message, and pick the membership a row's period falls in.
"""

from collections import defaultdict

from django.utils.translation import gettext as _

from teams import selectors
from teams.models import Membership, Person
from zhucun.workbooks.importer import chunks
from zhucun.workbooks.results import Row
from zhucun.workbooks.values import fold


def serving_membership(memberships: list[Membership], first, last):
    """The membership that covers most of [first, last]; the later one on a tie."""
    best, best_days = None, 0
    for m in memberships:
        start = max(m.start_date, first)
        end = min(m.end_date or last, last)
        days = (end - start).days + 1
        if days > 0 and (
            days > best_days or (days == best_days and m.start_date > best.start_date)
        ):
            best, best_days = m, days
    return best


def people_by_id_number(rows: list[Row], *, user) -> dict[str, Person]:
    """The rows' people whom ``user`` may see (teams.selectors), by 身份证号码."""
    return selectors.people_by_id_number(
        user=user, numbers=[row.data["id_number"] for row in rows if row.ok]
    )


def check_person(row: Row, people: dict[str, Person]) -> Person | None:
    """The row's person, or reject the row (unknown or outside scope, or a name not theirs)."""
    person = people.get(row.data["id_number"])
    if person is None:
        row.reject("身份证号码", selectors.id_number_not_found(row.data["id_number"]))
        return None
    if row.given("name") and fold(row.data["name"]) != fold(person.name):
        row.reject(
            "姓名",
            _("与该身份证号码登记的姓名“%(name)s”不一致。") % {"name": person.name},
        )
        return None
    return person


def memberships_of(people, *related) -> dict[int, list[Membership]]:
    by_person = defaultdict(list)
    ids = sorted(p.pk for p in people)
    for chunk in chunks(ids):
        for m in Membership.objects.filter(person_id__in=chunk).select_related(
            *related
        ):
            by_person[m.person_id].append(m)
    return by_person
