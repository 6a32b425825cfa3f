"""Working funds of every team for every year it served (五(二))."""

import datetime
import random
from decimal import Decimal

from funding.models import Fund

from .cases import CaseBook
from .dates import AS_OF
from .plan import Team, team_label
from .store import Store
from .units import provides_provincial_funds

SHORT_AMOUNT = Decimal("15000")


def write_funds(
    store: Store, rng: random.Random, cases: CaseBook, teams: list[Team]
) -> None:
    """¥20,000–50,000 a team a year, from the province in hardship-3+ ethnic counties."""
    table = store.table(Fund, "team_id year amount source received_on")
    for team in teams:
        last = min(team.end or AS_OF, AS_OF)
        provincial = provides_provincial_funds(team.county)
        for year in range(team.start.year, last.year + 1):
            amount = Decimal(rng.randrange(20, 51) * 1000)
            source = Fund.Source.PROVINCIAL if provincial else Fund.Source.COUNTY
            if year == 2022 and team.case == "FUNDING_SHORT":
                amount = SHORT_AMOUNT
                cases.note(team.case, f"{team_label(team)}：2022年{amount}元")
            if year == 2022 and team.case == "FUNDING_WRONG_SOURCE":
                source = Fund.Source.COUNTY
                cases.note(
                    team.case,
                    f"{team_label(team)}（艰苦边远{team.county.hardship_class}类）",
                )
            if year == team.start.year:
                received = team.start + datetime.timedelta(days=rng.randint(15, 45))
            else:
                received = datetime.date(year, rng.randint(2, 4), rng.randint(1, 28))
            table.add(team.id, year, amount, source, received)
