from django.core.management.base import BaseCommand

from factcheck.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo: four users (annotator, two reviewers, moderator) and a short original "
        "article with speakers, statements, claims and verdicts. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        article, created = load_demo()
        verb = "Loaded" if created else "Demo already present:"
        self.stdout.write(self.style.SUCCESS(f"{verb} article {article.pk} “{article.title}”."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {username:<6} {role.label}")
