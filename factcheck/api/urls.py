from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from factcheck.api import exports, imports, tasks, views

router = DefaultRouter(trailing_slash=True)
router.register("articles", views.ArticleViewSet, basename="api-article")
router.register("speakers", views.SpeakerViewSet, basename="api-speaker")
router.register("statements", views.StatementViewSet, basename="api-statement")
router.register("claims", views.ClaimViewSet, basename="api-claim")
router.register("verdicts", views.VerdictViewSet, basename="api-verdict")
router.register("ratings", views.RatingViewSet, basename="api-rating")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
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
    path("tasks/", tasks.TaskListView.as_view(), name="api-task-list"),
    path("tasks/<uuid:pk>/", tasks.TaskDetailView.as_view(), name="api-task"),
    path("tasks/<uuid:pk>/cancel/", tasks.TaskCancelView.as_view(), name="api-task-cancel"),
    *router.urls,
]
