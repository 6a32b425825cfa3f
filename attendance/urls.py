"""Pages of part 四 under /attendance/."""

from django.urls import path

from attendance import views

app_name = "attendance"

urlpatterns = [
    path("grid/", views.grid, name="grid"),
    path("grid/submit/", views.grid_submit, name="grid-submit"),
    path("grid/reopen/", views.grid_reopen, name="grid-reopen"),
    path("completeness/", views.completeness, name="completeness"),
    path("completeness.xlsx", views.completeness_xlsx, name="completeness-xlsx"),
    path("visits/", views.coverage, name="coverage"),
    path("visits/team/<int:team_id>/", views.team_visits, name="team-visits"),
    path("visits/unvisited/", views.unvisited, name="unvisited"),
    path("visits/unvisited.xlsx", views.unvisited_xlsx, name="unvisited-xlsx"),
    path("reports/", views.reports, name="reports"),
    path("reports.xlsx", views.reports_xlsx, name="reports-xlsx"),
    path("reports/new/", views.report_new, name="report-new"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings.xlsx", views.meetings_xlsx, name="meetings-xlsx"),
    path("meetings/new/", views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("rollups/", views.rollups, name="rollups"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox-read"),
]
