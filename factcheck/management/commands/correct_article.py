import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from factcheck import actions
from factcheck.models import Article


class Command(BaseCommand):
    help = (
        "Correct an article: FILE (UTF-8 plain text; - reads stdin) becomes its new revision and "
        "every claim is re-anchored to where its words now are (unchanged, moved, edited or "
        "orphaned), all or nothing. Published claims whose words were edited or removed are "
        "flagged for a moderator. Prints each claim's outcome."
    )

    def add_arguments(self, parser):
        parser.add_argument("article", type=int, help="The article's id.")
        parser.add_argument("path", help="The corrected text: a UTF-8 file, or - for stdin.")
        parser.add_argument("--note", default="", help="What was corrected, and why.")
        parser.add_argument(
            "--source", default="", help="Where the text came from (default: the file's name)."
        )
        parser.add_argument(
            "--user", required=True, help="The desk member making the correction (username)."
        )
        parser.add_argument(
            "--if-version",
            type=int,
            dest="version",
            help="Refuse unless the article is still at this version.",
        )

    def handle(self, *args, article, path, note, source, user, version, **options):
        target = Article.objects.filter(pk=article).first()
        if target is None:
            raise CommandError(f"There is no article {article}.")
        by = get_user_model().objects.filter(username=user).first()
        if by is None:
            raise CommandError(f"There is no user {user!r}.")
        text = self.read(path)
        total = target.claims.count()
        self.stderr.write(f"Re-anchoring {total:,} claim(s) of article {article}…")

        def progress(done: int) -> None:
            if done == total or done % 100 == 0:
                self.stderr.write(f"  {done:,}/{total:,} claims")

        try:
            correction = actions.correct_article(
                article=target,
                text=text,
                by=by,
                note=note,
                source=source or ("" if path == "-" else Path(path).name),
                version=version,
                progress=progress,
            )
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(f"Nothing changed: {problems}") from exc
        except (PermissionDenied, actions.StaleVersion) as exc:
            raise CommandError(f"Nothing changed: {exc}") from exc
        for p in correction.placements:
            where = f"{p['start']}-{p['end']}" if p["start"] is not None else "-"
            self.stdout.write(f"claim {p['id']}: {p['outcome']} {where} ({p['score']:.2f})")
        counts = ", ".join(f"{n} {outcome}" for outcome, n in correction.counts().items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Article {article} is at revision {correction.revision.number}: {counts}."
            )
        )

    def read(self, path: str) -> str:
        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text.") from exc
