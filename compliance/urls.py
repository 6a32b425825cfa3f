"""Pages of compliance (合规检查), mounted at /compliance/."""

from django.urls import path

from compliance import views as views

app_name = "compliance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("findings/", views.finding_list, name="findings"),
    path("findings/export/", views.finding_export, name="findings-export"),
    path("refresh/", views.refresh, name="refresh"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("people/<int:pk>/", views.person_detail, name="person"),
]
