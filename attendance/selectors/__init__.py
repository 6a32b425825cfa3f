"""Reads of part 四, shared by the pages, the API and the xlsx exports.

Rows are scoped to what the user may see (``zhucun.access.scoped``) here and
nowhere else. Each list costs a fixed number of queries whatever its length.
One module per subject: ``places``, ``grid``, ``completeness``, ``visits``,
``quarterly`` (reports and meetings), ``rollups``, the API's ``filters`` and
``lists``, and the ``inbox``; they are all readable as ``attendance.selectors.X``.
"""

from .completeness import (
    CompletenessRow,
    CompletenessSummary,
    completeness_rows,
    completeness_summary,
    completeness_townships,
)
from .filters import (
    AttendanceFilterSet,
    MeetingFilterSet,
    MonthFilter,
    QuarterFilter,
    ReminderFilterSet,
    ReportFilterSet,
    RollupFilterSet,
    SubmissionFilterSet,
    VisitFilterSet,
)
from .grid import Grid, GridRow, grid_get
from .inbox import inbox, unread_count
from .lists import (
    attendance_get,
    attendance_list,
    meeting_api_get,
    meeting_list,
    reminder_get,
    reminder_list,
    report_list,
    rollup_get,
    rollup_list,
    submission_get,
    submission_list,
    visit_get,
    visit_list,
)
from .places import (
    county_get,
    home_region,
    region_get,
    region_scope,
    township_choices,
    township_get,
)
from .quarterly import (
    meeting_candidates,
    meeting_get,
    meeting_status,
    quarter_meetings,
    report_get,
    report_status,
    team_report_of,
)
from .rollups import rollup_overview
from .visits import (
    team_households,
    team_members_in,
    unvisited_households,
    visible_team_get,
    visit_coverage,
)

__all__ = [
    "AttendanceFilterSet",
    "CompletenessRow",
    "CompletenessSummary",
    "Grid",
    "GridRow",
    "MeetingFilterSet",
    "MonthFilter",
    "QuarterFilter",
    "ReminderFilterSet",
    "ReportFilterSet",
    "RollupFilterSet",
    "SubmissionFilterSet",
    "VisitFilterSet",
    "attendance_get",
    "attendance_list",
    "completeness_rows",
    "completeness_summary",
    "completeness_townships",
    "county_get",
    "grid_get",
    "home_region",
    "inbox",
    "meeting_api_get",
    "meeting_candidates",
    "meeting_get",
    "meeting_list",
    "meeting_status",
    "quarter_meetings",
    "region_get",
    "region_scope",
    "reminder_get",
    "reminder_list",
    "report_get",
    "report_list",
    "report_status",
    "rollup_get",
    "rollup_list",
    "rollup_overview",
    "submission_get",
    "submission_list",
    "team_households",
    "team_members_in",
    "team_report_of",
    "township_choices",
    "township_get",
    "unread_count",
    "unvisited_households",
    "visible_team_get",
    "visit_coverage",
    "visit_get",
    "visit_list",
]
