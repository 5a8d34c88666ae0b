import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from factcheck import backup
from factcheck.exports import (
    base_url_of,
    claimreview,
    claims_for_export,
    jsonl,
    w3c,
)
from factcheck.exports import csv as csv_export
from factcheck.models import Article, Claim
from factcheck.text import OFFSET_UNITS

FORMATS = ["w3c", "claimreview", "jsonl", "csv", "all"]


class Command(BaseCommand):
    help = (
        "Export claims, streamed (memory stays flat however many there are). FORMAT is one of: "
        "w3c (a W3C Web Annotation AnnotationCollection, every claim in its first page), "
        "claimreview (schema.org ClaimReview JSON-LD of published fact-checks), "
        "jsonl (one article per line: doccano text/label plus our claims), "
        "csv (one claim per row, UTF-8 with BOM, safe for spreadsheets), "
        "all (a whole-desk backup: every row, history and users included, as JSON Lines, "
        "for `manage.py import all`). "
        "Writes to stdout, or to -o FILE (written whole or not at all). IRIs use "
        "FACTCHECK_BASE_URL unless --base-url is given. Shows a progress bar on a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("format", choices=FORMATS, metavar="FORMAT", help=", ".join(FORMATS))
        parser.add_argument("--article", type=int, metavar="ID", help="Only this article.")
        parser.add_argument("-o", "--output", metavar="FILE", help="Write here instead of stdout.")
        parser.add_argument(
            "--public",
            action="store_true",
            help="Only what the public may see (published claims), as the API gives outsiders.",
        )
        parser.add_argument(
            "--base-url", help="Absolute base for IRIs, e.g. https://desk.example.org"
        )
        parser.add_argument(
            "--offset-unit",
            choices=OFFSET_UNITS,
            default="utf16",
            help="jsonl: how the doccano `label` counts (default utf16, as doccano's editor; "
            "grapheme for its grapheme mode). `claims` always count code points.",
        )

    def handle(self, *args, format, article, output, public, base_url, offset_unit, **options):
        if format == "all":
            if article is not None or public:
                raise CommandError("A backup (all) has every row: drop --article and --public.")
            return self.write(backup.dump(), output, None, "line", "backup")
        base = (base_url or base_url_of()).rstrip("/")
        claims = Claim.objects.published() if public else Claim.objects.all()
        articles = Article.objects.all()
        if public:
            articles = articles.filter(claims__status=Claim.Status.PUBLISHED).distinct()
        if article is not None:
            if not Article.objects.filter(pk=article).exists():
                raise CommandError(f"There is no article {article}.")
            claims, articles = claims.filter(article_id=article), articles.filter(pk=article)
        if format == "jsonl":
            total, unit = articles.count(), "article"
            chunks = jsonl.stream_jsonl(articles, claims, base_url=base, offset_unit=offset_unit)
        else:
            rows = claims_for_export(claims)
            total, unit = (rows.published() if format == "claimreview" else rows).count(), "claim"
            if format == "w3c":
                iri = f"{base}/api/v1/export/annotations/"
                if article is not None:
                    iri += f"?article={article}"
                chunks = w3c.stream_collection(rows, base_url=base, collection_iri=iri)
            elif format == "claimreview":
                chunks = claimreview.stream_claimreviews(rows, base_url=base)
            else:
                chunks = csv_export.stream_csv(rows, base_url=base)
        self.write(chunks, output, total, unit, format)

    def write(self, chunks, output, total, unit, what) -> None:
        bar = tqdm(total=total, unit=unit, file=sys.stderr, disable=not sys.stderr.isatty())
        written = 0

        def counted(chunks):
            nonlocal written
            for chunk in chunks:
                written += 1
                bar.update(1)
                yield chunk

        try:
            if output:
                self.write_file(Path(output), counted(chunks))
            else:
                for chunk in counted(chunks):
                    self.stdout.write(chunk, ending="")
        finally:
            bar.close()
        if output:
            count = total if total is not None else written
            self.stderr.write(f"Wrote {what} export of {count:,} {unit}(s) to {output}.")

    def write_file(self, path: Path, chunks) -> None:
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("w", encoding="utf-8", newline="") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
