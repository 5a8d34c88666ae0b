from django.conf import settings
from django.urls import path
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from factcheck.api import exports, imports, links, revisions, search, suggestions, tasks, views

router = DefaultRouter(trailing_slash=True)
router.register("articles", views.ArticleViewSet, basename="api-article")
router.register("speakers", views.SpeakerViewSet, basename="api-speaker")
router.register("statements", views.StatementViewSet, basename="api-statement")
router.register("claims", views.ClaimViewSet, basename="api-claim")
router.register("verdicts", views.VerdictViewSet, basename="api-verdict")
router.register("ratings", views.RatingViewSet, basename="api-rating")


def _code_version() -> str:
    """Changes when the code (so the schema) may have: each deployment makes its own."""
    from pathlib import Path

    here = Path(__file__).resolve().parent.parent
    newest = max(p.stat().st_mtime_ns for p in here.rglob("*.py"))
    return f"{newest:x}"


# The schema is the same for everyone and costs ~0.5 s to make: made once, then cached.
SCHEMA_KEY_PREFIX = f"schema-{_code_version()}"
schema_view = cache_page(settings.SCHEMA_CACHE_SECONDS, key_prefix=SCHEMA_KEY_PREFIX)(
    SpectacularAPIView.as_view()
)

urlpatterns = [
    path("schema/", schema_view, name="api-schema"),
    # The split view serves its script from a URL, so the strict CSP (no inline scripts) holds.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path(
        "export/annotations/",
        exports.AnnotationCollectionView.as_view(),
        name="api-export-annotations",
    ),
    path(
        "export/annotations/<int:pk>/",
        exports.AnnotationView.as_view(),
        name="api-export-annotation",
    ),
    path("export/claimreview/", exports.ClaimReviewView.as_view(), name="api-export-claimreview"),
    path("export/claims.jsonl", exports.JsonlView.as_view(), name="api-export-jsonl"),
    path("export/claims.csv", exports.CsvView.as_view(), name="api-export-csv"),
    path("import/", imports.ImportView.as_view(), name="api-import"),
    path("import/article/", views.ArticleExtractView.as_view(), name="api-import-article"),
    path("search/", search.SearchView.as_view(), name="api-search"),
    path(
        "articles/<int:pk>/revisions/",
        revisions.RevisionListView.as_view(),
        name="api-article-revisions",
    ),
    path(
        "articles/<int:pk>/revisions/<int:number>/",
        revisions.RevisionDetailView.as_view(),
        name="api-article-revision",
    ),
    path(
        "claims/<int:pk>/reattach/",
        revisions.ClaimReattachView.as_view(),
        name="api-claim-reattach",
    ),
    path(
        "claims/<int:pk>/confirm/", revisions.ClaimConfirmView.as_view(), name="api-claim-confirm"
    ),
    path("claims/<int:pk>/link/", links.ClaimLinkView.as_view(), name="api-claim-link"),
    path(
        "claims/<int:pk>/link/confirm/",
        links.ClaimLinkConfirmView.as_view(),
        name="api-claim-link-confirm",
    ),
    path("claims/<int:pk>/unlink/", links.ClaimUnlinkView.as_view(), name="api-claim-unlink"),
    path("tasks/", tasks.TaskListView.as_view(), name="api-task-list"),
    path("tasks/<uuid:pk>/", tasks.TaskDetailView.as_view(), name="api-task"),
    path("tasks/<uuid:pk>/cancel/", tasks.TaskCancelView.as_view(), name="api-task-cancel"),
    path(
        "articles/<int:pk>/suggestions/",
        suggestions.ArticleSuggestionsView.as_view(),
        name="api-article-suggestions",
    ),
    path(
        "articles/<int:pk>/suggestions/accept-above/",
        suggestions.AcceptAboveView.as_view(),
        name="api-article-suggestions-accept-above",
    ),
    path(
        "suggestions/<int:pk>/accept/",
        suggestions.SuggestionAcceptView.as_view(),
        name="api-suggestion-accept",
    ),
    path(
        "suggestions/<int:pk>/reject/",
        suggestions.SuggestionRejectView.as_view(),
        name="api-suggestion-reject",
    ),
    *router.urls,
]
