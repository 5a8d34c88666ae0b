"""factcheck's URLs plus the ceiling: the least a Django view can do, served the same way."""

from django.http import JsonResponse
from django.urls import path

from factcheck.urls import urlpatterns as factcheck_urlpatterns


def ceiling(request):
    """A small JSON document: what every measured endpoint is compared with."""
    return JsonResponse({"ok": True, "service": "factcheck", "version": 1})


urlpatterns = [path("bench/ceiling/", ceiling, name="bench-ceiling"), *factcheck_urlpatterns]
