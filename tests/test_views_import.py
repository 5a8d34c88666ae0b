"""The import page and a task's page (its progress bar is driven by task.js: see
tests/browser/test_import.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from factcheck.models import BackgroundTask, Claim

DOCCANO = b'{"text": "The minister spoke.", "label": [[4, 12, "DIRECT_QUOTE"]]}\n'


def test_it_works(client, alice):
    client.force_login(alice)
    page = client.get("/import/")
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    upload = SimpleUploadedFile("speech.jsonl", DOCCANO)
    r = client.post("/import/", {"file": upload, "format": "doccano"})
    task = BackgroundTask.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/tasks/{task.pk}/"
    assert Claim.objects.count() == 1
    shown = client.get(r["Location"])
    assert shown.status_code == 200
    assert b"speech.jsonl" in shown.content and b"<progress" in shown.content
    assert b"factcheck/task.js" in shown.content
    assert shown.context["state"]["status"] == "succeeded"
    # The page lists it among her recent imports.
    assert b"speech.jsonl" in client.get("/import/").content


def test_it_validates_the_form(client, alice):
    client.force_login(alice)
    r = client.post("/import/", {"format": "nope"})
    assert r.status_code == 400
    assert not BackgroundTask.objects.exists()


def test_it_validates_ownership(client, alice, bob, dana):
    client.force_login(alice)
    client.post("/import/", {"file": SimpleUploadedFile("a.jsonl", DOCCANO)})
    url = BackgroundTask.objects.get().get_absolute_url()
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(dana)
    assert client.get(url).status_code == 200


def test_the_page_takes_doccanos_offset_unit_and_a_label_map(client, alice):
    client.force_login(alice)
    # "spoke" after a 🎤: doccano counts it at 6 (UTF-16 units); in code points it is 5.
    data = '{"text": "🎤 The minister spoke.", "label": [[16, 21, "SPEECH"]]}\n'.encode()
    upload = SimpleUploadedFile("speech.jsonl", data)
    r = client.post(
        "/import/", {"file": upload, "offset_unit": "codepoint", "labels": "SPEECH=indirect_quote"}
    )
    # Counted in code points, 16–21 is "poke.": the task fails, saying utf16 gives "spoke".
    failed = BackgroundTask.objects.get()
    assert r.status_code == 302 and failed.status == "failed"
    assert failed.options["offset_unit"] == "codepoint"
    assert "counted in utf16 it is 'spoke'" in failed.problems[0]["message"]
    upload = SimpleUploadedFile("speech.jsonl", data)
    client.post("/import/", {"file": upload, "labels": "SPEECH=indirect_quote"})
    claim = Claim.objects.get()
    assert (claim.quote, claim.kind) == ("spoke", "indirect_quote")


def test_a_label_map_naming_no_kind_is_a_form_error(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("speech.jsonl", DOCCANO)
    r = client.post("/import/", {"file": upload, "labels": "SPEECH=speech"})
    assert r.status_code == 400 and "is not a claim kind" in r.context["form"].errors["labels"][0]
    assert not BackgroundTask.objects.exists()


def test_a_deeply_nested_label_map_is_a_form_error(client, alice):
    # The attack: `labels` given as JSON nested 100,000 deep was a RecursionError, a 500.
    client.force_login(alice)
    upload = SimpleUploadedFile("speech.jsonl", DOCCANO)
    r = client.post("/import/", {"file": upload, "labels": '{"A": ' + "[" * 100_000})
    assert r.status_code == 400 and "nested too deeply" in r.context["form"].errors["labels"][0]
    assert not BackgroundTask.objects.exists()
