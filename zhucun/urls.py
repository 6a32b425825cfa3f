"""Top-level URLs. Each app adds its pages under its own prefix; the API is under /api/v1/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from zhucun import accounts, views
from zhucun.api import router
from zhucun.token_auth import TokenView

admin.site.site_header = "驻村工作队管理系统"
admin.site.site_title = "驻村工作队管理系统"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("accounts/users/", accounts.user_list, name="user-list"),
    path("villages/", include("villages.urls")),
    path("teams/", include("teams.urls")),
    path("attendance/", include("attendance.urls")),
    path("compliance/", include("compliance.urls")),
    path("assessments/", include("assessments.urls")),
    path("funding/", include("funding.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("workbooks/", include("zhucun.workbooks.urls")),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"
    ),
]
