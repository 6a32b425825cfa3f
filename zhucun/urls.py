"""Top-level URLs. Each app adds its pages under its own prefix; the API is under /api/v1/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as accounts
from dashboards.home import home
from zhucun import views
from zhucun.api import router
from zhucun.token_auth import TokenDetailView, TokenListView, TokenView

admin.site.site_header = "驻村工作队管理系统"
admin.site.site_title = "驻村工作队管理系统"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", home, name="home"),
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
    path("api/v1/auth/tokens/", TokenListView.as_view(), name="api-tokens"),
    path(
        "api/v1/auth/tokens/<int:pk>/",
        TokenDetailView.as_view(),
        name="api-token-detail",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); the docs page
    # sends a visitor to the login page. The split view serves its start-up script
    # as a separate JavaScript response, so the page needs no inline script (CSP).
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
]
