"""Dashboards, the county workbench and the township page, under /dashboards/."""

from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("workbench/<str:code>/", views.workbench, name="workbench"),
    path("township/<str:code>/", views.township, name="township"),
    path("<str:code>/", views.region, name="region"),
    path("<str:code>/<slug:slug>.xlsx", views.export, name="export"),
]
