"""Importing an article from a URL (a local server) or a file, in the browser: the refusals
shown, the extracted text confirmed and saved."""

import io

import pytest

from factcheck.models import Article
from tests.browser.test_accessibility import axe_source, sign_in_as, violations
from tests.local_web import LocalWeb

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def web(settings):
    server = LocalWeb()
    settings.FACTCHECK_FETCH_ALLOW = [server.allow]
    yield server
    server.stop()


def fetch(page, live_server, url):
    page.goto(f"{live_server.url}/articles/import/")
    page.fill("[data-testid=fetch-form] input[name=url]", url)
    page.click("[data-testid=fetch-submit]")


def test_import_from_a_url_with_confirmation(page, live_server, sign_in, alice, web, screenshot):
    sign_in(alice)
    page.goto(f"{live_server.url}/articles/")
    page.click("[data-testid=import-web-link]")
    fetch(page, live_server, web.url("/harbour"))
    confirm = page.locator("[data-testid=confirm-form]")
    assert confirm.locator("input[name=title]").input_value() == (
        "Harbour ferry fares to rise, council says"
    )
    assert confirm.locator("input[name=byline]").input_value() == "Ines Halvorsen"
    assert "ridership fell by a third" in confirm.locator("textarea[name=text]").input_value()
    assert Article.objects.count() == 0
    screenshot("article-import-confirm")
    confirm.locator("input[name=title]").fill("Ferry fares rise to 4.20 crowns")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_url(lambda url: "/articles/import/" not in url)
    assert page.locator("h1").first.text_content().strip() == "Ferry fares rise to 4.20 crowns"
    assert Article.objects.get().url == "https://courier.example/news/harbour-fares"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://localhost:9/", "localhost is at"),
        ("http://[::1]/", "internal address"),
    ],
)
def test_internal_addresses_are_refused_on_the_page(page, live_server, sign_in, alice, url, shown):
    sign_in(alice)
    fetch(page, live_server, url)
    errors = page.locator("[data-testid=fetch-errors]")
    assert shown in errors.text_content()
    assert page.locator("[data-testid=confirm-form]").count() == 0


def test_a_redirect_to_a_private_address_is_refused_on_the_page(
    page, live_server, sign_in, alice, web
):
    sign_in(alice)
    fetch(page, live_server, web.url("/redirect?to=http://10.9.8.7/"))
    assert "10.9.8.7" in page.locator("[data-testid=fetch-errors]").text_content()


def test_upload_a_docx_file(page, live_server, sign_in, alice, tmp_path):
    import docx

    document = docx.Document()
    document.core_properties.title = "Council minutes, 2 April"
    document.add_paragraph("The councillor said fares rose 20%.")
    path = tmp_path / "minutes.docx"
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    sign_in(alice)
    page.goto(f"{live_server.url}/articles/import/")
    page.set_input_files("[data-testid=upload-form] input[type=file]", str(path))
    page.click("[data-testid=upload-submit]")
    confirm = page.locator("[data-testid=confirm-form]")
    assert confirm.locator("input[name=title]").input_value() == "Council minutes, 2 April"
    page.click("[data-testid=confirm-submit]")
    page.wait_for_url(lambda url: "/articles/import/" not in url)
    assert Article.objects.get().text == "The councillor said fares rose 20%."


def test_other_file_types_are_refused_on_the_page(page, live_server, sign_in, alice, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    sign_in(alice)
    page.goto(f"{live_server.url}/articles/import/")
    page.set_input_files("[data-testid=upload-form] input[type=file]", str(path))
    page.click("[data-testid=upload-submit]")
    errors = page.locator("[data-testid=upload-errors]").text_content()
    assert "upload a .txt, .html or .docx file" in errors


def test_the_confirmation_step_has_no_axe_violations(browser, live_server, alice, web):
    # axe is injected as an inline script: this context alone lets it past the CSP.
    context = browser.new_context(bypass_csp=True)
    try:
        page = sign_in_as(context, live_server, alice)
        fetch(page, live_server, web.url("/harbour"))
        assert page.locator("[data-testid=confirm-form]").count() == 1
        assert violations(page, axe_source()) == []
        fetch(page, live_server, "http://10.0.0.1/")  # the refusal, shown in the form
        assert page.locator("[data-testid=fetch-errors]").count() == 1
        assert violations(page, axe_source()) == []
    finally:
        context.close()
