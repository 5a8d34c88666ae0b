"""/sitemap.xml: the public pages, for search engines (only what an anonymous reader sees).

/sitemap.xml is an index naming one file per section (/sitemap-factchecks.xml, …), and more
files (?p=2…) for a section past ``limit`` (50,000) URLs, the most a file may hold."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from factcheck.models import Claim, Speaker, Statement

PUBLIC = AnonymousUser()


class FactCheckSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        checks = Claim.objects.fact_checks().select_related(None).prefetch_related(None)
        return checks.order_by("pk").only("pk", "updated_at")

    def location(self, item):
        return reverse("factcheck-detail", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # For the index: one aggregate, rather than Django's reading every fact-check.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class SpeakerSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Speaker.objects.visible_to(PUBLIC).order_by("pk").only("pk")

    def location(self, item):
        return reverse("speaker-public", args=[item.pk])


class StatementSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Statement.objects.visible_to(PUBLIC).order_by("pk").only("pk")

    def location(self, item):
        return reverse("statement-public", args=[item.pk])


class IndexSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["factcheck-list"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "index": IndexSitemap,
    "factchecks": FactCheckSitemap,
    "speakers": SpeakerSitemap,
    "statements": StatementSitemap,
}
