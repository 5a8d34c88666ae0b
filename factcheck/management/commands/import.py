import sys

from django.core.management.base import BaseCommand, CommandError

from factcheck import backup


class Command(BaseCommand):
    help = (
        "Restore a whole-desk backup: `import all FILE` (- for stdin) reads what "
        "`export all -o FILE` wrote (users and roles, ratings, speakers, statements, articles, "
        "claims, verdicts, sources, every history row, the admin log) into an empty, migrated "
        "database, keeping every id. All or nothing: on any problem nothing is saved. API "
        "tokens are not in backups; people sign in again. To import annotations from other "
        "tools use import_annotations."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["all"], help="all: a backup from `export all`")
        parser.add_argument("file", metavar="FILE", help="The backup file; - reads stdin.")

    def handle(self, *args, what, file, **options):
        try:
            if file == "-":
                counts = backup.load(sys.stdin)
            else:
                with open(file, encoding="utf-8") as fh:
                    counts = backup.load(fh)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} is not UTF-8 (byte {exc.start}); is it a backup?") from exc
        except backup.BackupError as exc:
            raise CommandError(f"Nothing was restored: {exc}.") from exc
        total = sum(counts.values())
        details = ", ".join(f"{n:,} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Restored {total:,} rows from {file}: {details}."))
