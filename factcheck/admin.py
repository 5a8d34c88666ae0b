"""Django admin registrations. Moderation tools (queues, actions, merges) build on these."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from factcheck.models import Article, Claim, EvidenceSource, Rating, Speaker, Statement, Verdict


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "published_on", "language", "created_at"]
    search_fields = ["title", "publisher", "url"]
    date_hierarchy = "created_at"


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "description", "wikidata_id"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases", "description"]


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "speaker", "kind", "date", "venue"]
    list_filter = ["kind"]
    list_select_related = ["speaker"]
    search_fields = ["title", "venue", "speaker__name"]
    autocomplete_fields = ["speaker"]


@admin.register(Rating)
class RatingAdmin(SimpleHistoryAdmin):
    list_display = ["label", "value", "order", "colour"]
    list_editable = ["order"]


class EvidenceSourceInline(admin.TabularInline):
    model = EvidenceSource
    extra = 0


@admin.register(Verdict)
class VerdictAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "reviewer", "rating", "status", "moderator", "moderated_at"]
    list_filter = ["status", "rating"]
    list_select_related = ["claim", "reviewer", "rating", "moderator"]
    raw_id_fields = ["claim"]
    inlines = [EvidenceSourceInline]


class VerdictInline(admin.TabularInline):
    model = Verdict
    fk_name = "claim"
    extra = 0
    fields = ["reviewer", "rating", "status", "rationale", "moderator", "moderation_note"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "article", "speaker", "statement", "kind", "status"]
    list_filter = ["status", "kind", "check_worthy"]
    list_select_related = ["article", "speaker", "statement", "statement__speaker"]
    search_fields = ["quote", "summary", "speaker__name"]
    raw_id_fields = ["article"]
    autocomplete_fields = ["speaker", "statement"]
    readonly_fields = ["quote", "prefix", "suffix", "created_by", "created_at", "updated_at"]
    inlines = [VerdictInline]
