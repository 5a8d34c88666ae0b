import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from factcheck import actions, detect
from factcheck.models import Article


class Command(BaseCommand):
    help = (
        "Run the detector (factcheck.detect, or FACTCHECK_DETECTOR) on articles and store what "
        "it proposes as pending suggestions, seen on each article's reading page and through "
        "the API. A run replaces an article's pending suggestions and keeps the decided ones; "
        "a rejected suggestion is not proposed again for the same text. Each article is saved "
        "on its own, so a stopped run keeps the articles done. See docs/suggestions.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "articles", nargs="*", type=int, metavar="ARTICLE_ID", help="The articles' ids."
        )
        parser.add_argument("--all", action="store_true", help="Every article.")

    def handle(self, *args, articles, all, **options):
        if all == bool(articles):
            raise CommandError("Give article ids or --all (not both).")
        if all:
            ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        else:
            known = set(Article.objects.filter(pk__in=articles).values_list("pk", flat=True))
            missing = [pk for pk in articles if pk not in known]
            if missing:
                raise CommandError(f"There is no article {', '.join(map(str, missing))}.")
            ids = list(dict.fromkeys(articles))
        bar = tqdm(total=len(ids), unit="article", file=sys.stderr, disable=not sys.stderr.isatty())

        def progress(done, made):
            bar.update(done - bar.n)
            bar.set_postfix(suggestions=made, refresh=False)

        try:
            result = actions.suggest_for_articles(article_ids=ids, progress=progress)
        finally:
            bar.close()
        for problem in result["problems"]:
            self.stderr.write(f"{problem['where']}: {problem['message']}")
        message = (
            f"{result['suggestions']} pending suggestion(s) on {result['articles']} article(s) "
            f"(detector version {detect.VERSION})."
        )
        if result["failed"]:
            raise CommandError(f"{message} {result['failed']} article(s) failed.")
        self.stdout.write(self.style.SUCCESS(message))
