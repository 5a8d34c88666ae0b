from django.contrib import admin
from django.urls import include, path

from factcheck import revision_views, views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("factcheck.api.urls")),
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("articles/<int:pk>/correct/", revision_views.article_correct, name="article-correct"),
    path(
        "articles/<int:pk>/revisions/", revision_views.article_revisions, name="article-revisions"
    ),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("suggest/speakers/", views.suggest_speakers, name="suggest-speakers"),
    path("suggest/statements/", views.suggest_statements, name="suggest-statements"),
    path("review/", views.review_queue, name="review-queue"),
    path("speakers/", views.speaker_list, name="speaker-list"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker-detail"),
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("import/", views.import_page, name="import"),
    path("tasks/<uuid:pk>/", views.task_detail, name="task-detail"),
    path("factchecks/<int:pk>/", views.factcheck_detail, name="factcheck-detail"),
    path("export/<slug:fmt>/", views.export_download, name="export-download"),
    path("favicon.ico", views.favicon, name="favicon"),
]

# The API's 404s in JSON (its schema's error shape), the pages' as Django's.
handler404 = "factcheck.middleware.not_found"
