import os
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from factcheck import imports


class Command(BaseCommand):
    help = (
        "Import articles with their claims from FILE (- for stdin). Formats: "
        "ours (our JSONL export: one article per line with `claims`), "
        'doccano (JSONL: {"text", "label": [[start, end, "LABEL"]]}, offsets counted in '
        "--offset-unit), "
        "labelstudio (Label Studio JSON export, or a task file: span results with "
        "value.start/end/text/labels, in annotations or pre-1.0 completions; predictions are "
        "skipped and counted), "
        "w3c (W3C Web Annotations with TextQuoteSelector/TextPositionSelector whose target "
        "source is an article already here, by URL or IRI). The format is guessed from the "
        "file's structure when --format is omitted (and the guess is said). Labels naming a "
        "claim kind (DIRECT_QUOTE, indirect_quote, Direct quote, ...) set it; map others with "
        "--labels, or the import is refused naming them. The import is all or nothing: on any "
        "problem "
        "nothing is saved and each problem is listed with its line or item number. Articles "
        "with a known URL (or the same title and text) are reused; claims already there "
        "(same span) are skipped, so re-running an import is safe. Claims arrive open."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The file to import; - reads stdin.")
        parser.add_argument("--format", choices=imports.FORMATS, help="Default: guessed.")
        parser.add_argument("--user", metavar="USERNAME", help="Record claims as made by USERNAME.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, then save nothing."
        )
        parser.add_argument(
            "--offset-unit",
            choices=imports.OFFSET_UNITS,
            help="doccano: what its offsets count. Default: the file's own `offset_unit`, else "
            "utf16 (doccano's editor); grapheme for doccano's grapheme mode. W3C: what its "
            "TextPositionSelectors count, if not code points (as the standard says).",
        )
        parser.add_argument(
            "--labels",
            metavar="MAP",
            help="Labels to claim kinds: LABEL=kind,OTHER=kind (* for every label not named) "
            'or JSON {"LABEL": "kind"}. Kind names and labels map to themselves.',
        )

    def handle(self, *args, file, format, user, dry_run, offset_unit, labels, **options):
        try:
            import_options = imports.ImportOptions.from_input(
                offset_unit=offset_unit, labels=labels
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"There is no user {user!r}.")
        source = self.open(file)
        # A file's bar counts bytes read of its size (a percentage); stdin's counts records.
        size = os.fstat(source.fileno()).st_size if file != "-" else None
        bar = tqdm(
            total=size or None,
            unit="B" if size else "record",
            unit_scale=bool(size),
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
        )

        def progress():
            bar.update(min(source.tell(), size) - bar.n if size else 1)

        try:
            result = imports.import_annotations(
                source,
                fmt=format,
                by=by,
                dry_run=dry_run,
                progress=progress,
                options=import_options,
            )
        except imports.ImportFailed as exc:
            bar.close()
            for line in imports.iter_problems(exc):
                self.stderr.write(line)
            raise CommandError(f"Nothing was imported: {exc.total} problem(s) in {file}.") from exc
        finally:
            bar.close()
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.claims_created} claim(s) ({result.format}): "
                f"{result.articles_created} new article(s), {result.articles_reused} reused; "
                f"{result.claims_skipped} claim(s) already there skipped."
            )
        )
        if result.guessed:
            self.stdout.write(f"Format: {result.guessed} (choose another with --format).")
        for what, n in result.skipped.items():
            self.stdout.write(self.style.WARNING(f"Not imported: {n} {what}."))
        for note in result.notes:  # read otherwise than the file said: worth a look
            self.stdout.write(f"note: {note}")

    def open(self, file):
        if file == "-":
            return sys.stdin.buffer
        try:
            # Bytes: the import decodes each line, so a bad byte is reported on its line.
            return open(file, "rb")  # noqa: SIM115 - read to the end by the import
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
