"""Pages of units, people, teams and the appointment workflow, under /teams/."""

from django.urls import path  # noqa: F401

app_name = "teams"

urlpatterns: list = [
    # Directory: units and people (lists, unit page, person page).
    # Teams: list, team page with its timeline; appointment and replacement workflow.
]
