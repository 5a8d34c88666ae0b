"""The OpenAPI schema validates, and the interactive docs work offline."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/claims/",
        "/api/v1/export/annotations/",
        "/api/v1/auth/token/",
        "/api/v1/import/",
    ):
        assert path in text


def test_the_schema_is_served_as_openapi_3(db):
    r = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    assert r.json()["openapi"].startswith("3.")


@pytest.mark.django_db
def test_the_docs_load_only_same_origin_assets():
    client = Client()
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    for url in assets:
        assert url.startswith("/"), f"external asset {url}"
        assert not url.startswith("//"), f"external asset {url}"
    # No inline script: the page must work under script-src 'self'.
    assert not re.search(r"<script>(?!\s*</script>)", html)
    for url in assets:
        if url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL):
            name = url.split(settings.STATIC_URL.strip("/") + "/", 1)[1]
            assert finders.find(name), f"{url} is not a bundled static file"
        else:
            assert client.get(url).status_code == 200, url
