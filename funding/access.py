"""Access rules of funds and their spending."""

from teams.access import through_team
from zhucun.access import Rule


def rules() -> dict[str, Rule]:
    return {
        "funding.fund": through_team("team__"),
        "funding.spending": through_team("fund__team__"),
    }
