"""Access rules of grades, training and target letters."""

from teams.access import of_people, through_membership, through_team
from zhucun.access import Rule


def rules() -> dict[str, Rule]:
    return {
        "assessments.assessment": through_membership("membership__"),
        "assessments.trainingevent": Rule(everyone=True),
        "assessments.trainingrecord": of_people("person__"),
        "assessments.targetletter": through_team("team__"),
        "assessments.targetitem": through_team("letter__team__"),
    }
