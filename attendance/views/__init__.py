"""Pages of part 四: the monthly grid, completeness, visits, reports, meetings, inbox.

Every page reads through ``attendance.selectors`` (scoped) and writes through
``attendance.services``. A place outside the user's scope answers 404; a page the
user's role has no permission for answers 403. One module per subject; what the
pages share (paging, the month, quarter and region asked for) is in ``params``;
``attendance/urls.py`` reads the pages from here.
"""

from .completeness import completeness, completeness_xlsx
from .grid import grid, grid_reopen, grid_submit
from .inbox import inbox, inbox_read
from .meetings import meeting_detail, meeting_new, meetings, meetings_xlsx
from .reports import report_detail, report_new, reports, reports_xlsx
from .rollups import rollups
from .visits import coverage, team_visits, unvisited, unvisited_xlsx

__all__ = [
    "completeness",
    "completeness_xlsx",
    "coverage",
    "grid",
    "grid_reopen",
    "grid_submit",
    "inbox",
    "inbox_read",
    "meeting_detail",
    "meeting_new",
    "meetings",
    "meetings_xlsx",
    "report_detail",
    "report_new",
    "reports",
    "reports_xlsx",
    "rollups",
    "team_visits",
    "unvisited",
    "unvisited_xlsx",
]
