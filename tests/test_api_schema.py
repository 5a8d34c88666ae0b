"""The OpenAPI schema validates, and the interactive docs work offline."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from factcheck import actions
from tests.conftest import api
from tests.world import build_world


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


# --------------------------------------------------------------------------- the schema tells the truth
# tests/conftest.py checks every API response of the suite against the schema; these are the
# cases a schemathesis run and real clients found the schema wrong about, each checked here on
# purpose (``schema_referee.check`` raises AssertionError with schemathesis' explanation).


@pytest.fixture
def world(db):
    return build_world()


def served_schema() -> dict:
    return Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_a_verdict_no_moderator_decided_yet_is_as_the_schema_says(schema_referee, world):
    r = api(world.bob).get(f"/api/v1/verdicts/{world.bob_submitted.pk}/")
    assert r.status_code == 200 and r.json()["moderator"] is None
    schema_referee.check(r)


def test_an_article_without_a_url_is_as_the_schema_says(schema_referee, alice):
    article = actions.create_article(title="No link", text="Words.", url="", by=alice)
    r = api(alice).get(f"/api/v1/articles/{article.pk}/")
    assert r.json()["url"] == ""
    schema_referee.check(r)
    schema_referee.check(api(alice).get("/api/v1/articles/"))


def test_claims_with_and_without_an_approved_verdict_are_as_the_schema_says(schema_referee, world):
    r = api().get(f"/api/v1/claims/{world.published_claim.pk}/")
    assert r.json()["approved_verdict"] is not None
    schema_referee.check(r)
    r = api(world.alice).get("/api/v1/claims/")
    assert None in [c["approved_verdict"] for c in r.json()["results"]]
    schema_referee.check(r)


@pytest.mark.parametrize("path", ["/api/v1/claims/{open}/", "/api/v1/claims/x1/", "/api/v1/nope/"])
def test_an_anonymous_404_is_documented_and_json(schema_referee, world, path):
    r = api().get(path.format(open=world.open_claim.pk))
    assert r.status_code == 404
    assert r["Content-Type"] == "application/json" and "detail" in r.json()
    if "nope" not in path:
        schema_referee.check(r)


def test_every_error_response_is_the_one_shared_declaration():
    schema = served_schema()
    shared = schema["components"]["responses"]
    seen = set()
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert response["$ref"].startswith("#/components/responses/"), (method, path)
                assert response.get("description") != "No response body", (method, path)
                seen.add(int(status))
    assert seen == {400, 403, 404, 409, 412, 413, 415, 429, 503}
    for response in shared.values():
        body = response["content"]["application/json"]["schema"]
        assert "#/components/schemas/Error" in str(body)


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("GET", "/api/v1/claims/", {400, 403}),
        ("GET", "/api/v1/claims/{id}/", {403, 404}),
        ("POST", "/api/v1/articles/", {400, 403, 409, 413, 415, 503}),
        ("PATCH", "/api/v1/claims/{id}/", {400, 403, 404, 409, 412, 413, 415, 503}),
        ("DELETE", "/api/v1/verdicts/{id}/", {400, 403, 404, 409, 412, 503}),
        ("POST", "/api/v1/auth/token/", {400, 403, 413, 415, 429, 503}),
        ("DELETE", "/api/v1/auth/token/", {403, 429, 503}),
        ("GET", "/api/v1/export/annotations/", {400, 403, 429}),
        ("POST", "/api/v1/tasks/{id}/cancel/", {403, 404, 409, 413, 503}),
        ("POST", "/api/v1/import/", {400, 403, 413, 415, 503}),
    ],
)
def test_each_operation_lists_the_errors_it_gives(method, path, statuses):
    operation = served_schema()["paths"][path][method.lower()]
    errors = {int(s) for s in operation["responses"] if s.startswith(("4", "5"))}
    assert errors == statuses


def test_public_reads_say_anonymous_access_is_allowed():
    for method, path, operation in operations(served_schema()):
        anonymous = {} in operation.get("security", [{}])
        # Tasks are their owner's, suggestions the desk's: neither is public.
        public = (
            method == "GET"
            and not path.startswith("/api/v1/tasks/")
            and not path.endswith("/suggestions/")
        )
        assert anonymous == public or path == "/api/v1/auth/token/", (method, path)


def parameter(path, name, method="get"):
    (found,) = [
        p for p in served_schema()["paths"][path][method]["parameters"] if p["name"] == name
    ]
    return found


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/export/claims.csv"])
def test_article_0_is_refused_as_the_schema_says(schema_referee, alice, path):
    assert parameter(path, "article")["schema"]["minimum"] == 1
    r = api(alice).get(f"{path}?article=0")
    assert r.status_code == 400 and "article" in r.json()
    schema_referee.check(r)
    assert api(alice).get(f"{path}?article=").status_code == 200  # empty: no filter


@pytest.mark.parametrize(("page_size", "status"), [("", 200), ("1", 200), ("0", 400), ("x", 400)])
def test_page_size_is_accepted_or_refused_as_the_schema_says(
    schema_referee, alice, page_size, status
):
    declared = parameter("/api/v1/claims/", "page_size")
    assert declared["allowEmptyValue"] is True and declared["schema"]["minimum"] == 1
    r = api(alice).get(f"/api/v1/claims/?page_size={page_size}")
    assert r.status_code == status
    schema_referee.check(r)


def test_a_validation_error_without_a_field_is_still_field_errors(schema_referee, alice):
    r = api(alice).get("/api/v1/speakers/?search=%00")
    assert r.status_code == 400 and r.json() == {
        "non_field_errors": ["Null characters are not allowed."]
    }
    schema_referee.check(r)


@pytest.mark.parametrize(
    ("component", "field", "value"),
    [("Article", "url", ""), ("Claim", "approved_verdict", None), ("Verdict", "moderator", None)],
)
def test_plain_json_schema_reads_the_shapes_alike(component, field, value):
    """Read as plain JSON Schema (OAS 3.1's dialect; ``format`` only an annotation, as most
    validators take it), an empty URL matches exactly one branch and a null verdict is allowed."""
    from jsonschema import Draft202012Validator

    schema = served_schema()
    prop = {**schema["components"]["schemas"][component]["properties"][field]}
    prop.pop("readOnly", None)
    root = {**prop, "components": schema["components"]}
    assert Draft202012Validator(root).is_valid(value)


@pytest.mark.parametrize(
    ("value", "status"), [("true", 200), ("FALSE", 200), ("", 200), ("-58800", 400), ("1", 400)]
)
def test_a_boolean_filter_takes_true_or_false_as_the_schema_says(
    schema_referee, alice, value, status
):
    assert parameter("/api/v1/claims/", "check_worthy")["schema"] == {"type": "boolean"}
    r = api(alice).get(f"/api/v1/claims/?check_worthy={value}")
    assert r.status_code == status
    if status == 400:
        assert r.json() == {"check_worthy": ["Use true or false."]}
    schema_referee.check(r)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/speakers/", {"name": "Ada", "aliases": [0]}, "aliases"),
        ("/api/v1/speakers/", {"name": 7}, "name"),
        ("/api/v1/articles/", {"title": 2024, "text": "Words."}, "title"),
    ],
)
def test_a_number_is_not_a_string(schema_referee, dana, path, body, field):
    # The schema says string; DRF's CharField would have stored "0".
    r = api(dana).post(path, body, format="json")
    assert r.status_code == 400 and field in r.json()
    schema_referee.check(r)


def test_a_post_body_is_required_as_the_import_needs_one(alice):
    body = served_schema()["paths"]["/api/v1/import/"]["post"]["requestBody"]
    assert body["required"] is True
    assert api(alice).post("/api/v1/import/").status_code == 400
