"""Access rules of attendance, visits, reports, meetings and their summaries."""

from teams.access import through_membership, through_team
from zhucun.access import Rule, path_rule


def rules() -> dict[str, Rule]:
    return {
        "attendance.monthlyattendance": through_membership("membership__"),
        "attendance.attendancesubmission": Rule(region=path_rule("township__path")),
        "attendance.householdvisit": through_team("team__"),
        "attendance.teamreport": through_team("team__"),
        "attendance.leadermeeting": Rule(region=path_rule("county__path")),
        "attendance.attendancerollup": Rule(region=path_rule("region__path")),
        # A county's dashboard counts: the county and the regions above it only.
        "attendance.placesummary": Rule(region=path_rule("county__path")),
        "attendance.reminder": Rule(region=path_rule("region__path")),
        "attendance.rolluplock": Rule(),
    }
