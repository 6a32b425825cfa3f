"""The write rules of grades (四(三)), shared by the grading service and the importer.

The 20% cap: in each county and year, members graded 优秀 are at most
floor(ratio × the county's members), first secretaries excluded from both counts
(``assessments.caps`` counts). Grades proposed together (a sheet, a page of
grades) count with the stored ones; a person proposed again replaces their
stored grade instead of adding to it.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from assessments.caps import counted_excellent, eligible_counts, excellent_cap
from zhucun.formats import percent
from zhucun.policy import Thresholds
from zhucun.write_rules import Refusal


@dataclass(frozen=True)
class ProposedGrade:
    """A year's annual grade proposed for a person serving in a county.

    ``counts``: an annual 优秀 of a member who is not a first secretary.
    """

    item: Any
    person_id: int
    county_id: int
    county_name: str
    year: int
    counts: bool


def cap_message(
    *, county: str, year: int, graded: int, cap: int, members: int, ratio: Decimal
) -> str:
    """The one refusal of the 20% cap, on every path.

    ``graded``: the 优秀 already given (stored, and earlier in the same batch).
    """
    return _(
        "%(county)s%(year)d年度优秀名额已满：已评优秀%(graded)d人，"
        "上限%(cap)d人（不含第一书记的队员共%(members)d人的%(ratio)s）"
    ) % {
        "county": county,
        "year": year,
        "graded": graded,
        "cap": cap,
        "members": members,
        "ratio": percent(ratio),
    }


def excellent_cap_refusals(proposals: Iterable[ProposedGrade]) -> list[Refusal]:
    """Refuse each 优秀 that takes its county beyond the year's cap.

    Two queries per year proposed (members and stored 优秀), whatever the number
    of rows. The caller locks the counties' Region rows first (the one row that
    stands for "this county's grades"), so the counts cannot go stale.
    """
    by_year: dict[int, list[ProposedGrade]] = defaultdict(list)
    for proposal in proposals:
        by_year[proposal.year].append(proposal)
    ratio = Thresholds.from_settings().excellent_cap_ratio
    refusals = []
    for year, year_proposals in sorted(by_year.items()):
        counting = [p for p in year_proposals if p.counts]
        if not counting:
            continue
        county_ids = sorted({p.county_id for p in counting})
        eligible = eligible_counts(year, county_ids)
        regraded = {p.person_id for p in year_proposals}
        stored: dict[int, set[int]] = defaultdict(set)
        for person_id, county_id in (
            counted_excellent(year)
            .filter(membership__team__village__county_id__in=county_ids)
            .values_list("person_id", "membership__team__village__county_id")
        ):
            if person_id not in regraded:
                stored[county_id].add(person_id)
        taken: dict[int, int] = defaultdict(int)
        for p in counting:
            members = eligible.get(p.county_id, 0)
            cap = excellent_cap(ratio, members)
            graded = len(stored[p.county_id]) + taken[p.county_id]
            if graded + 1 > cap:
                message = cap_message(
                    county=p.county_name,
                    year=year,
                    graded=graded,
                    cap=cap,
                    members=members,
                    ratio=ratio,
                )
                refusals.append(Refusal(p.item, "grade", message))
                continue
            taken[p.county_id] += 1
    return refusals
