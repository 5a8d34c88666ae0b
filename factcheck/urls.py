from django.contrib import admin
from django.urls import include, path

from factcheck import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("factcheck.api.urls")),
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker-detail"),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("factchecks/<int:pk>/", views.factcheck_detail, name="factcheck-detail"),
]
