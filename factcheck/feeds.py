"""/factchecks/feed/: an Atom feed of the newest published fact-checks."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from factcheck import text as textlib
from factcheck.models import Claim

FEED_SIZE = 50


class FactCheckFeed(Feed):
    feed_type = Atom1Feed
    description_template = None

    def title(self):
        return f"Fact-checks · {settings.FACTCHECK_ORGANIZATION['name']}"

    def subtitle(self):
        return "What was said, and what we found."

    def link(self):
        return reverse("factcheck-list")

    def author_name(self):
        return settings.FACTCHECK_ORGANIZATION["name"]

    def items(self):
        return Claim.objects.fact_checks()[:FEED_SIZE]

    def item_title(self, item):
        verdict = item.approved_verdict
        said = textlib.shorten(item.summary or item.quote, 120)
        return f"{said}: {verdict.rating.label}" if verdict else said

    def item_description(self, item):
        verdict = item.approved_verdict
        who = item.speaker.name if item.speaker else "The author"
        body = f"{who} said: “{item.quote}”. Our rating: {verdict.rating.label}."
        return f"{body} {textlib.shorten(verdict.rationale, 400)}" if verdict.rationale else body

    def item_link(self, item):
        return reverse("factcheck-detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
