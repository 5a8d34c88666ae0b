import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from factcheck import actions
from factcheck.models import Article
from factcheck.text import normalize_text

JSON_FIELDS = ["title", "text", "url", "publisher", "byline", "published_on", "language"]


class Command(BaseCommand):
    help = (
        "Import one article from a UTF-8 file. A .json file holds an object with `title` and "
        "`text` (and optionally url, publisher, byline, published_on as YYYY-MM-DD, language); "
        "any other file is plain text, titled by --title or else by its first line. Options "
        "override the file's fields. The text is normalized (NFC, \\n line ends). Re-importing "
        "an article whose url is already known changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .txt or .json file; - reads plain text from stdin.")
        parser.add_argument("--title")
        parser.add_argument("--url")
        parser.add_argument("--publisher")
        parser.add_argument("--byline")
        parser.add_argument("--published-on", dest="published_on", help="YYYY-MM-DD")
        parser.add_argument("--language")

    def handle(self, *args, path, **options):
        fields = self.read(path)
        fields.update({k: options[k] for k in JSON_FIELDS if options.get(k)})
        if not fields.get("title"):
            text = normalize_text(fields.get("text", ""))
            first_line = text.strip().split("\n", 1)[0]
            fields["title"] = first_line[:300]
        if fields.get("url") and (existing := Article.objects.filter(url=fields["url"]).first()):
            self.stdout.write(f"Article {existing.pk} already has url {fields['url']}; unchanged.")
            return
        try:
            article = actions.create_article(**fields)
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(f"Cannot import {path}: {problems}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported article {article.pk}: {article.title!r} "
                f"({len(article.text):,} characters)."
            )
        )

    def read(self, path: str) -> dict:
        import sys

        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{path} is not UTF-8 (byte {exc.start} is invalid); convert it first, "
                "e.g. iconv -f latin1 -t utf-8."
            ) from exc
        if not path.endswith(".json"):
            return {"text": content}
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}.") from exc
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise CommandError(f"{path} must hold a JSON object with a string `text`.")
        unknown = set(data) - set(JSON_FIELDS)
        if unknown:
            raise CommandError(f"{path} has unknown fields: {', '.join(sorted(unknown))}.")
        return {k: v for k, v in data.items() if v is not None}
