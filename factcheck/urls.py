from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.views.decorators.http import require_safe

from factcheck import desk_views, link_views, revision_views, views, views_import, views_public
from factcheck.feeds import FactCheckFeed
from factcheck.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("factcheck.api.urls")),
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("articles/import/", views_import.article_import_web, name="article-import-web"),
    path("articles/suggest/", desk_views.article_suggest, name="articles-suggest"),
    path("search/", views.search_page, name="search"),
    path("claims/", desk_views.claim_list, name="claim-list"),
    path("articles/<int:pk>/correct/", revision_views.article_correct, name="article-correct"),
    path(
        "articles/<int:pk>/revisions/", revision_views.article_revisions, name="article-revisions"
    ),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/link/", link_views.claim_link, name="claim-link"),
    path("claims/<int:pk>/link/confirm/", link_views.claim_link_confirm, name="claim-link-confirm"),
    path("claims/<int:pk>/unlink/", link_views.claim_unlink, name="claim-unlink"),
    path("suggest/speakers/", views.suggest_speakers, name="suggest-speakers"),
    path("suggest/statements/", views.suggest_statements, name="suggest-statements"),
    path("review/", views.review_queue, name="review-queue"),
    path("speakers/", views.speaker_list, name="speaker-list"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker-detail"),
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("import/", views.import_page, name="import"),
    path("tasks/<uuid:pk>/", views.task_detail, name="task-detail"),
    path("factchecks/", views_public.factcheck_list, name="factcheck-list"),
    path("factchecks/feed/", require_safe(FactCheckFeed()), name="factcheck-feed"),
    path("factchecks/<int:pk>/", views.factcheck_detail, name="factcheck-detail"),
    path("factchecks/speakers/<int:pk>/", views_public.speaker_public, name="speaker-public"),
    path(
        "factchecks/statements/<int:pk>/",
        views_public.statement_public,
        name="statement-public",
    ),
    # An index of the sitemap's files: a file holds at most 50,000 URLs (sitemaps.org), so a
    # section past that is more files (?p=2…), each named by the index.
    path(
        "sitemap.xml",
        require_safe(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        require_safe(sitemaps.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("export/<slug:fmt>/", views.export_download, name="export-download"),
    path("favicon.ico", views.favicon, name="favicon"),
]

# The API's 404s in JSON (its schema's error shape), the pages' as Django's.
handler404 = "factcheck.middleware.not_found"
