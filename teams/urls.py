"""Pages of units, people, teams and the appointment workflow, under /teams/.

The team page reads every domain, so its views live in ``dashboards.team_views``.
"""

from django.urls import path

from dashboards import team_views
from teams import directory, views, workflow

app_name = "teams"

urlpatterns: list = [
    # Directory: units and people (lists, unit page, person page).
    path("units/", directory.unit_list, name="unit-list"),
    path("units/<int:pk>/", directory.unit_detail, name="unit-detail"),
    path("people/", directory.person_list, name="person-list"),
    # Teams: list, team page with its timeline; appointment and replacement workflow.
    path("", views.team_list, name="team-list"),
    path("<int:pk>/", team_views.team_detail, name="team-detail"),
    path("<int:pk>/mark-unfit/", team_views.mark_unfit, name="team-mark-unfit"),
    path("appointments/", workflow.appointments, name="appointments"),
    path("appointments/propose/", workflow.propose, name="appointment-propose"),
    path(
        "appointments/<int:pk>/replace/",
        workflow.replace,
        name="appointment-replace",
    ),
    path(
        "appointments/<int:pk>/<slug:step>/",
        workflow.step,
        name="appointment-step",
    ),
]
