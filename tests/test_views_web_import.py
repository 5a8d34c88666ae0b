"""/articles/import/: fetch a page or upload a file, check what was read, save it."""

import io

import pytest

from factcheck.models import Article
from tests.local_web import FIXTURES, LocalWeb

PAGE = "/articles/import/"


@pytest.fixture
def web(settings):
    server = LocalWeb()
    settings.FACTCHECK_FETCH_ALLOW = [server.allow]
    yield server
    server.stop()


def test_it_needs_a_desk_member(client, eve):
    assert client.get(PAGE).status_code == 302  # to the sign-in
    client.force_login(eve)
    assert client.get(PAGE).status_code == 403


def test_a_fetched_page_is_shown_for_confirmation_then_saved(client, alice, web):
    client.force_login(alice)
    response = client.post(PAGE, {"step": "fetch", "url": web.url("/harbour")})
    assert response.status_code == 200
    form = response.context["confirm"]
    assert form.initial["title"] == "Harbour ferry fares to rise, council says"
    assert form.initial["url"] == "https://courier.example/news/harbour-fares"
    assert form.initial["byline"] == "Ines Halvorsen"
    assert Article.objects.count() == 0  # nothing saved before the desk confirms

    data = {**form.initial, "published_on": "2026-04-02", "step": "save"}
    data["title"] = "Ferry fares to rise (edited)"
    response = client.post(PAGE, data)
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert article.title == "Ferry fares to rise (edited)"
    assert article.publisher == "The Nordhavn Courier"
    assert article.language == "en-GB"
    assert article.created_by == alice
    assert article.text.startswith("The council said on Tuesday")


def test_a_page_is_read_in_the_encoding_it_names(client, alice, web):
    # Its <meta charset> when the server says none; a label no codec knows is no error.
    client.force_login(alice)
    for path in ("/odd-charset", "/latin"):
        response = client.post(PAGE, {"step": "fetch", "url": web.url(path)})
        assert response.status_code == 200
        form = response.context["confirm"]
        assert form.initial["title"] == "Zürich café prices"
        assert "said café “prices” rose" in form.initial["text"]
        assert "\ufffd" not in form.initial["text"]


def test_a_refused_address_is_shown_not_fetched(client, alice, web):
    client.force_login(alice)
    response = client.post(PAGE, {"step": "fetch", "url": "http://169.254.169.254/latest/"})
    assert response.status_code == 400
    assert "internal address" in response.content.decode()
    response = client.post(PAGE, {"step": "fetch", "url": web.url("/redirect?to=http://10.1.2.3/")})
    assert response.status_code == 400
    assert "10.1.2.3" in response.content.decode()
    assert Article.objects.count() == 0


def test_a_page_already_here_is_found_not_duplicated(client, alice, web):
    client.force_login(alice)
    from factcheck import actions

    here = actions.create_article(
        title="Fares",
        text="Old copy.",
        url="http://Courier.example:80/news/harbour-fares/?fbclid=1",
    )
    response = client.post(PAGE, {"step": "fetch", "url": web.url("/harbour")})
    assert response.context["found"] == here
    assert here.get_absolute_url() in response.content.decode()
    # Saving anyway is refused, under any spelling of the URL.
    data = {"step": "save", "title": "Again", "text": "x", "language": "en"}
    data["url"] = "https://courier.example/news/harbour-fares#top"
    response = client.post(PAGE, data)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Article.objects.count() == 1


def upload(client, name, data):
    f = io.BytesIO(data)
    f.name = name
    return client.post(PAGE, {"step": "upload", "file": f})


def test_uploads_of_txt_html_and_docx(client, alice):
    import docx

    client.force_login(alice)
    response = upload(client, "note.txt", b"Bridge traffic\n\nThe mayor said 38,000.")
    assert response.context["confirm"].initial["title"] == "Bridge traffic"
    response = upload(client, "page.html", (FIXTURES / "harbour.html").read_bytes())
    assert response.context["confirm"].initial["byline"] == "Ines Halvorsen"
    document = docx.Document()
    document.add_paragraph("Minutes of the council")
    document.add_paragraph("The motion passed.")
    buffer = io.BytesIO()
    document.save(buffer)
    response = upload(client, "minutes.docx", buffer.getvalue())
    assert response.status_code == 200
    assert response.context["confirm"].initial["text"] == "The motion passed."
    assert Article.objects.count() == 0


def test_other_file_types_are_refused_clearly(client, alice):
    client.force_login(alice)
    response = upload(client, "report.pdf", b"%PDF-1.4")
    assert response.status_code == 400
    assert "upload a .txt, .html or .docx file" in response.content.decode()


def test_an_oversize_upload_is_refused(client, alice, settings):
    settings.FACTCHECK_FETCH_MAX_BYTES = 100
    client.force_login(alice)
    response = upload(client, "long.txt", b"x" * 101)
    assert response.status_code == 413
    assert "larger than the limit" in response.content.decode()
