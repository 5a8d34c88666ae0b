"""The who-said-what data model: articles, claim spans, speakers, statements, verdicts."""

from __future__ import annotations

import hashlib
import math
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from factcheck import text as textlib
from factcheck.roles import Role
from factcheck.urls_canon import canonical_url_key

http_url_validator = URLValidator(schemes=["http", "https"])


# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): invisible, and they make
# "Evil \u202eliveD" display as another name. The marks (LRM, RLM, ALM) stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def refuse_bidi_controls(value: str) -> None:
    if value and not BIDI_CONTROLS.isdisjoint(value):
        raise ValidationError(
            "Remove the invisible text-direction controls (U+202A-U+202E, U+2066-U+2069): "
            "they make a name display as another.",
            code="bidi_control",
        )


def history_records(*foreign_keys: str) -> HistoricalRecords:
    """A model's history (django-simple-history). The history table's copies of the model's
    ``foreign_keys`` get no index: a history is read by the object's id and date, never
    searched by a copied key, and each such index was written on every change (six of a
    claim's history row's eight, a fifth of a 50,000-claim import's database time)."""
    return HistoricalRecords(no_db_index=list(foreign_keys))


class HttpURLField(models.URLField):
    """A URL field that accepts only http(s) URLs (no javascript:, data:, ftp:)."""

    default_validators = [http_url_validator]

    def formfield(self, **kwargs):
        # A scheme-less URL typed into a form becomes https:// (Django 6's default).
        return super().formfield(**{"assume_scheme": "https", **kwargs})


# --------------------------------------------------------------------------- articles


class ArticleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Desk members see every article; others only those with a published claim."""
        if Role.of(user) is not None:
            return self
        return self.filter(Exists(Claim.objects.published().filter(article=OuterRef("pk"))))

    def with_claim_counts(self):
        """Annotate ``claims_<status>`` and ``claims_total`` counts."""
        counts = {
            f"claims_{status}": models.Count("claims", filter=Q(claims__status=status))
            for status in Claim.Status.values
        }
        return self.annotate(claims_total=models.Count("claims"), **counts)

    def with_url(self, url: str):
        """The article at ``url`` under any of its spellings (factcheck.urls_canon)."""
        key = canonical_url_key(url)
        return self.filter(url_key=key) if key else self.none()

    def search(self, query: str):
        if not query:
            return self
        return self.filter(Q(title__icontains=query) | Q(publisher__icontains=query))


def count_for(objects, related, key: str, name: str, *, by: str = "", values=()) -> list:
    """Set ``name`` on each of ``objects`` (a page of rows) to its number of ``related`` rows.

    One grouped query over the page's rows only (``related.filter(<key>__in=page)``), where
    a ``Count`` annotation on a list's queryset made every page (and its paginator's
    ``COUNT(*)``) join and group the whole related table. With ``by`` (a field of
    ``related``) the counts are split by its ``values`` too: ``<name>_<value>`` each, and
    ``<name>_total``.
    """
    objects = list(objects)
    fields = [key, by] if by else [key]
    rows = (
        related.filter(**{f"{key}__in": [o.pk for o in objects]})
        .order_by()
        .values_list(*fields)
        .annotate(n=models.Count("*"))  # COUNT(*): an index on (key, by) answers it alone
    )
    counts: dict = {}
    for *group, n in rows:
        counts.setdefault(group[0], {})[group[1] if by else None] = n
    for o in objects:
        mine = counts.get(o.pk, {})
        if by:
            for value in values:
                setattr(o, f"{name}_{value}", mine.get(value, 0))
            setattr(o, f"{name}_total", sum(mine.values()))
        else:
            setattr(o, name, mine.get(None, 0))
    return objects


class Article(models.Model):
    title = models.CharField(max_length=300)
    url = HttpURLField(max_length=500, blank=True, default="")
    # The URL's identity (factcheck.urls_canon), kept by save() and clean(): unique, so the same
    # page under http/https, tracking parameters or a trailing slash is found, not duplicated.
    url_key = models.CharField(max_length=600, blank=True, default="", editable=False)
    publisher = models.CharField(
        max_length=200, blank=True, default="", validators=[refuse_bidi_controls]
    )
    byline = models.CharField(
        max_length=300, blank=True, default="", validators=[refuse_bidi_controls]
    )
    published_on = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=20, default="en", help_text="BCP 47 tag, e.g. en, fr")
    text = models.TextField(
        help_text="Plain text, stored NFC with \\n line ends: the current revision's. Once "
        "claims point into it, it changes only by a correction (actions.correct_article)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change.")
    revision = models.PositiveIntegerField(
        default=1, help_text="The number of its current revision (over 1: it was corrected)."
    )

    history = history_records("created_by")
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # An import finds the article a record without a URL names by its title (then
            # text): without it each record read the whole table (a second of a 1,000-record
            # import into 1,000 articles).
            models.Index(fields=["title"], name="article_title"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="article_url_unique_when_present"
            ),
            models.UniqueConstraint(
                fields=["url_key"],
                condition=~Q(url_key=""),
                name="article_url_key_unique_when_present",
                violation_error_message="An article with this URL already exists.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.text = textlib.normalize_text(self.text or "")
        self.url_key = canonical_url_key(self.url)
        creating = self.pk is None
        changed = self._refuse_text_change()
        # Every text the article had is kept: the first, and each change (a correction
        # writes its own revision, with its note and source, before saving).
        new_revision = creating or (changed and not getattr(self, "_revision_written", False))
        if not creating:
            self.version += 1
            if new_revision:
                self.revision = self.revisions.next_number()
        super().save(*args, **kwargs)
        if new_revision:
            self.revisions.create(number=self.revision, text=self.text, created_by=self.created_by)

    def get_absolute_url(self):
        return reverse("article-detail", args=[self.pk])

    def clean(self):
        self.text = textlib.normalize_text(self.text or "")
        self.url_key = canonical_url_key(self.url)  # bulk writes (imports) skip save()
        if (
            self.url_key
            and Article.objects.filter(url_key=self.url_key).exclude(pk=self.pk).exists()
        ):
            # Said here, on the field a form shows, as well as by the constraint (the admin's
            # form leaves url_key out, and so its constraint, of its checks).
            raise ValidationError({"url": "An article with this URL already exists."})
        if not self.text.strip():
            raise ValidationError({"text": "The article text is empty."})
        limit = settings.FACTCHECK_MAX_ARTICLE_CHARS
        if len(self.text) > limit:
            raise ValidationError(
                {
                    "text": f"The article text is {len(self.text):,} characters; "
                    f"the limit is {limit:,}."
                }
            )
        self._refuse_text_change()

    def validate_constraints(self, exclude=None):
        if exclude and "url" in exclude:  # a URL already refused is not refused twice
            exclude = {*exclude, "url_key"}
        super().validate_constraints(exclude=exclude)

    def _refuse_text_change(self) -> bool:
        """Whether the text changed; refused for an article with claims unless it is a
        correction (which re-anchors the claims in the same transaction)."""
        if self.pk is None:
            return False
        stored = Article.objects.filter(pk=self.pk).values_list("text", flat=True).first()
        changed = stored is not None and stored != self.text
        if changed and not getattr(self, "_revision_written", False) and self.claims.exists():
            raise ValidationError(
                {
                    "text": "The text of an article with claims cannot be changed directly: "
                    "correct it (a new revision, its claims re-anchored)."
                }
            )
        return changed

    @property
    def current_revision(self) -> ArticleRevision | None:
        return self.revisions.order_by("-number").first()

    @property
    def corrected(self) -> bool:
        return self.revisions.filter(number__gt=1).exists()


class ArticleRevisionQuerySet(models.QuerySet):
    def next_number(self) -> int:
        return (self.aggregate(n=models.Max("number"))["n"] or 0) + 1


class ArticleRevision(models.Model):
    """One text an article had: the first, and each correction. The newest one's text is
    the article's ``text`` (what pages show and claim offsets point into)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    note = models.TextField(blank=True, default="", help_text="What was corrected, and why.")
    source = models.CharField(
        max_length=500, blank=True, default="", help_text="The URL or file the text came from."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ArticleRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["article_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self):
        return f"{self.article} (revision {self.number})"

    def get_absolute_url(self):
        return reverse("article-revisions", args=[self.article_id]) + f"?to={self.number}"


class ClaimAnchoring(models.Model):
    """Where a correction put one claim: its outcome, and its offsets before and after."""

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", "Unchanged"
        MOVED = "moved", "Moved"
        EDITED = "edited", "Edited"
        ORPHANED = "orphaned", "Orphaned"
        REATTACHED = "reattached", "Re-attached by hand"

    revision = models.ForeignKey(
        ArticleRevision, on_delete=models.CASCADE, related_name="anchorings"
    )
    claim = models.ForeignKey("Claim", on_delete=models.CASCADE, related_name="anchorings")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    old_start = models.IntegerField()
    old_end = models.IntegerField()
    old_quote = models.TextField()
    new_start = models.IntegerField(null=True, blank=True)
    new_end = models.IntegerField(null=True, blank=True)
    new_quote = models.TextField(null=True, blank=True)
    score = models.FloatField(default=0.0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["revision_id", "old_start", "claim_id", "pk"]
        indexes = [models.Index(fields=["claim", "revision"], name="anchoring_claim_revision")]

    def __str__(self):
        return f"claim {self.claim_id}: {self.outcome} in revision {self.revision_id}"


# --------------------------------------------------------------------------- speakers


class SpeakerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Desk members see every speaker; others only those of a published claim."""
        if Role.of(user) is not None:
            return self
        return self.filter(Exists(Claim.objects.published().filter(speaker=OuterRef("pk"))))

    def matching(self, name: str) -> list[Speaker]:
        """Speakers whose name or one of whose aliases is ``name``, ignoring case, by pk."""
        name = " ".join((name or "").split())
        if not name:
            return []
        folded = name.casefold()
        candidates = self.filter(Q(name__iexact=name) | Q(aliases__icontains=name))
        return [
            s
            for s in candidates.order_by("pk")
            if s.name.casefold() == folded or folded in (a.casefold() for a in s.alias_list)
        ]

    def named(self, name: str):
        """Speakers whose name or one of whose aliases is ``name``, ignoring case."""
        return self.filter(pk__in=[s.pk for s in self.matching(name)])

    def search(self, query: str):
        if not query:
            return self
        return self.filter(
            Q(name__icontains=query) | Q(aliases__icontains=query) | Q(description__icontains=query)
        )


class SpeakerManager(models.Manager.from_queryset(SpeakerQuerySet)):
    def resolve(self, name: str, *, kind: str | None = None) -> tuple[Speaker, bool]:
        """The speaker called ``name`` (name or alias, any case), created if there is none."""
        name = " ".join((name or "").split())
        if not name:
            raise ValidationError({"speaker": "A speaker name is required."})
        existing = next(iter(self.get_queryset().matching(name)), None)
        if existing:
            return existing, False
        speaker = Speaker(name=name, kind=kind or Speaker.Kind.PERSON)
        try:
            speaker.full_clean()
            with transaction.atomic():  # a savepoint: a lost race leaves the caller's intact
                speaker.save()
        except (IntegrityError, ValidationError):
            # Someone made the same speaker since we looked: use theirs.
            won = next(iter(self.get_queryset().matching(name)), None)
            if won is None:
                raise
            return won, False
        return speaker, True


class Speaker(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"
        GOVERNMENT = "government", "Government"
        MEDIA = "media", "Media"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, validators=[refuse_bidi_controls])
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    description = models.CharField(max_length=300, blank=True, default="")
    aliases = models.TextField(
        blank=True,
        default="",
        help_text="Other names, one per line.",
        validators=[refuse_bidi_controls],
    )
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        default="",
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q42.")],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = history_records()
    objects = SpeakerManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="speaker_name_unique_ci"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("speaker-detail", args=[self.pk])

    def clean(self):
        self.name = " ".join((self.name or "").split())
        clash = Speaker.objects.filter(name__iexact=self.name).exclude(pk=self.pk)
        if self.name and clash.exists():
            raise ValidationError({"name": f"A speaker called “{self.name}” already exists."})

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def add_alias(self, alias: str) -> None:
        alias = " ".join(alias.split())
        known = {a.casefold() for a in self.alias_list} | {self.name.casefold()}
        if alias and alias.casefold() not in known:
            self.aliases = "\n".join([*self.alias_list, alias])


# --------------------------------------------------------------------------- statements


class StatementQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Desk members see every statement; others only those of a published claim."""
        if Role.of(user) is not None:
            return self
        return self.filter(Exists(Claim.objects.published().filter(statement=OuterRef("pk"))))

    def search(self, query: str):
        if not query:
            return self
        return self.filter(
            Q(title__icontains=query)
            | Q(venue__icontains=query)
            | Q(speaker__name__icontains=query)
            | Q(speaker__aliases__icontains=query)
        )


class StatementManager(models.Manager.from_queryset(StatementQuerySet)):
    def resolve(
        self, speaker: Speaker | None, title: str, *, defaults: dict | None = None
    ) -> tuple[Statement, bool]:
        """The statement of ``speaker`` titled ``title`` (any case), created if there is none
        (with ``defaults``: its kind, date, url)."""
        title = " ".join((title or "").split())
        if not title:
            raise ValidationError({"statement": "A statement title is required."})
        same = self.filter(speaker=speaker, title__iexact=title).order_by("pk")
        existing = same.first()
        if existing:
            return existing, False
        statement = Statement(speaker=speaker, title=title, **(defaults or {}))
        try:
            statement.full_clean()
            with transaction.atomic():  # a savepoint: a lost race leaves the caller's intact
                statement.save()
        except (IntegrityError, ValidationError):
            # Someone made the same statement since we looked: use theirs.
            won = same.first()
            if won is None:
                raise
            return won, False
        return statement, True


class Statement(models.Model):
    """The occasion a claim was made in: a press release, an interview, a communiqué."""

    class Kind(models.TextChoices):
        PRESS_RELEASE = "press_release", "Press release"
        JOINT_STATEMENT = "joint_statement", "Joint statement"
        INTERVIEW = "interview", "Interview"
        SPEECH = "speech", "Speech"
        COMMUNIQUE = "communique", "Communiqué"
        SOCIAL_POST = "social_post", "Social media post"
        ARTICLE = "article", "Article"
        OTHER = "other", "Other"

    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    title = models.CharField(max_length=300, validators=[refuse_bidi_controls])
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    date = models.DateField(null=True, blank=True)
    venue = models.CharField(
        max_length=200, blank=True, default="", help_text="Where or in which medium."
    )
    url = HttpURLField(max_length=500, blank=True, default="", help_text="The primary source.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = history_records("speaker")
    objects = StatementManager()

    class Meta:
        ordering = ["-date", "title"]
        constraints = [
            models.UniqueConstraint(
                "speaker", Lower("title"), name="statement_title_unique_per_speaker_ci"
            ),
        ]

    def __str__(self):
        who = f"{self.speaker}: " if self.speaker_id else ""
        when = f" ({self.date:%Y-%m-%d})" if self.date else ""
        return f"{who}{self.title}{when}"

    def get_absolute_url(self):
        return reverse("statement-detail", args=[self.pk])


# --------------------------------------------------------------------------- ratings


class Rating(models.Model):
    """One step of the verdict scale; editable by moderators."""

    label = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True, default="")
    value = models.SmallIntegerField(
        null=True, blank=True, help_text="Numeric value on the scale (higher = truer), if any."
    )
    order = models.PositiveSmallIntegerField(default=0)
    colour = models.CharField(
        max_length=7,
        default="#6b7280",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour looks like #1a2b3c.")],
    )

    history = history_records()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.label


# --------------------------------------------------------------------------- claims


class ClaimQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Claims ``user`` may see: everything for desk members, published ones for others."""
        if Role.of(user) is not None:
            return self
        return self.filter(status=Claim.Status.PUBLISHED)

    def published(self):
        return self.filter(status=Claim.Status.PUBLISHED)

    def fact_checks(self):
        """Published claims with their approved verdict: the public fact-checks, newest first
        (what /factchecks/, the public speaker and statement pages, the sitemap and the feed
        list). Each has ``approved_verdict`` prefetched, with its rating; the article's text
        (up to a million characters, shown by none of them) is left unread."""
        approved = Verdict.objects.filter(status=Verdict.Status.APPROVED).select_related("rating")
        return (
            self.published()
            .filter(Exists(approved.filter(claim=OuterRef("pk"))))
            .with_relations()
            .defer("article__text")
            .prefetch_related(models.Prefetch("verdicts", queryset=approved))
            .order_by("-published_at", "-pk")
        )

    def anchored(self):
        """Claims whose span points into the article's current text (not orphans)."""
        return self.exclude(anchor_state=Claim.AnchorState.ORPHANED)

    def orphaned(self):
        return self.filter(anchor_state=Claim.AnchorState.ORPHANED)

    def flagged(self):
        """Published claims whose words a correction edited or removed: for a moderator to
        confirm or unpublish."""
        return self.published().exclude(anchor_state=Claim.AnchorState.OK)

    def in_text_order(self):
        return self.order_by("start", "-end", "pk")

    def with_relations(self):
        return self.select_related("article", "speaker", "statement", "statement__speaker")

    def awaiting_verdict_from(self, user):
        """Open or in-review claims on which ``user`` has not submitted a verdict."""
        submitted = Verdict.objects.filter(claim=OuterRef("pk"), reviewer=user).exclude(
            status=Verdict.Status.DRAFT
        )
        return self.filter(
            status__in=[Claim.Status.OPEN, Claim.Status.IN_REVIEW], check_worthy=True
        ).exclude(Exists(submitted))

    def search(self, query: str):
        if not query:
            return self
        return self.filter(
            Q(quote__icontains=query)
            | Q(summary__icontains=query)
            | Q(speaker__name__icontains=query)
            | Q(speaker__aliases__icontains=query)
        )


class Claim(models.Model):
    class Kind(models.TextChoices):
        DIRECT_QUOTE = "direct_quote", "Direct quote"
        INDIRECT_QUOTE = "indirect_quote", "Indirect quote"
        MIXED_QUOTE = "mixed_quote", "Mixed quote"
        AUTHOR_CLAIM = "author_claim", "Author's own claim"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    class AnchorState(models.TextChoices):
        OK = "ok", "Anchored"
        EDITED = "edited", "Words edited by a correction"
        ORPHANED = "orphaned", "Orphaned by a correction"

    # The foreign keys' own indexes would be prefixes of Meta.indexes below: left out, so a
    # claim written updates three indexes fewer.
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="claims", db_index=False
    )
    start = models.IntegerField(help_text="Code-point offset of the first character.")
    end = models.IntegerField(help_text="Code-point offset just past the last character.")
    quote = models.TextField(help_text="Exactly article.text[start:end].")
    prefix = models.CharField(max_length=textlib.CONTEXT_LENGTH, blank=True, default="")
    suffix = models.CharField(max_length=textlib.CONTEXT_LENGTH, blank=True, default="")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DIRECT_QUOTE)
    speaker = models.ForeignKey(
        Speaker,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="Empty means the article's author.",
        db_index=False,
    )
    statement = models.ForeignKey(
        Statement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        db_index=False,
    )
    cue_start = models.IntegerField(null=True, blank=True)
    cue_end = models.IntegerField(null=True, blank=True)
    source_start = models.IntegerField(null=True, blank=True)
    source_end = models.IntegerField(null=True, blank=True)
    summary = models.CharField(
        max_length=200, blank=True, default="", help_text="The claim in one normalized line."
    )
    check_worthy = models.BooleanField(default=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every edit.")
    # The last moderation decision on the claim itself (reject, unpublish, reopen).
    moderation_note = models.TextField(blank=True, default="")
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderated_claims",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # What the last correction of the article did to the claim's words (ok once a person
    # confirmed or re-attached it). An orphan keeps the offsets, quote and context it had in
    # the revision it was made on: they no longer point into the current text.
    anchor_state = models.CharField(
        max_length=20, choices=AnchorState.choices, default=AnchorState.OK
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    history = history_records("article", "speaker", "statement", "created_by", "moderated_by")
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["article_id", "start", "-end", "pk"]
        indexes = [
            models.Index(fields=["article", "start"], name="claim_article_start"),
            # Claim counts by status for a page of articles, from the index alone.
            models.Index(fields=["article", "status"], name="claim_article_status"),
            # The review queue (check-worthy open or in-review claims, oldest first): walked
            # in id order and stopped after a page. A (status, id) index gave SQLite two
            # ranges that it then sorted whole (84 ms at 100,000 claims), so there is none:
            # a status filter on a list walks the ids in order and stops after a page too.
            models.Index(
                fields=["id"],
                condition=Q(check_worthy=True, status__in=["open", "in_review"]),
                name="claim_review_queue",
            ),
            models.Index(fields=["speaker", "id"], name="claim_speaker_id"),
            models.Index(fields=["statement", "id"], name="claim_statement_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="claim_start_not_negative"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="claim_end_after_start"
            ),
            models.CheckConstraint(
                condition=(Q(cue_start__isnull=True) & Q(cue_end__isnull=True))
                | (Q(cue_start__gte=0) & Q(cue_end__gt=models.F("cue_start"))),
                name="claim_cue_span_valid",
            ),
            models.CheckConstraint(
                condition=(Q(source_start__isnull=True) & Q(source_end__isnull=True))
                | (Q(source_start__gte=0) & Q(source_end__gt=models.F("source_start"))),
                name="claim_source_span_valid",
            ),
        ]

    def __str__(self):
        return textlib.shorten(self.summary or self.quote, 80)

    def save(self, *args, **kwargs):
        self.check_against_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("claim-detail", args=[self.pk])

    def clean(self):
        self.check_against_text()

    def anchor_in(self, text: str) -> None:
        """Fill quote/prefix/suffix from ``start``/``end`` in ``text``."""
        span = textlib.span_at(text, self.start, self.end)
        self.quote, self.prefix, self.suffix = span.quote, span.prefix, span.suffix

    def check_against_text(self) -> None:
        """Refuse spans outside the article text and a quote that does not match it (an
        orphan's span points into an earlier revision: nothing to check it against)."""
        if self.anchor_state == Claim.AnchorState.ORPHANED:
            return
        text = self.article.text
        errors = {}
        try:
            textlib.check_span(text, self.start, self.end)
        except (TypeError, ValueError) as exc:
            errors["end" if "end" in str(exc) else "start"] = str(exc)
        else:
            if self.quote != text[self.start : self.end]:
                errors["quote"] = "The quote does not match the article text at start/end."
        for name, s, e in (
            ("cue", self.cue_start, self.cue_end),
            ("source", self.source_start, self.source_end),
        ):
            if s is None and e is None:
                continue
            try:
                if s is None or e is None:
                    raise ValueError("give both start and end, or neither.")
                textlib.check_span(text, s, e)
            except (TypeError, ValueError) as exc:
                errors[f"{name}_start"] = f"Invalid {name} span: {exc}"
        if (
            self.statement_id
            and self.speaker_id
            and self.statement.speaker_id
            not in (
                None,
                self.speaker_id,
            )
        ):
            errors["statement"] = "This statement belongs to another speaker."
        if errors:
            raise ValidationError(errors)

    @property
    def approved_verdict(self) -> Verdict | None:
        cached = getattr(self, "_prefetched_objects_cache", {}).get("verdicts")
        verdicts = cached if cached is not None else self.verdicts.all()
        return next((v for v in verdicts if v.status == Verdict.Status.APPROVED), None)

    def is_editable_by(self, user) -> bool:
        from factcheck import lifecycle

        return lifecycle.allows(user, "edit", claim=self)

    @property
    def span_text(self) -> str:
        """The text its offsets point into: the article's, or for an orphan the revision it
        was orphaned from (what shows its words in their context)."""
        if self.anchor_state != Claim.AnchorState.ORPHANED:
            return self.article.text
        orphaned = (
            self.anchorings.filter(outcome=ClaimAnchoring.Outcome.ORPHANED)
            .order_by("-revision__number", "-pk")
            .values_list("revision__number", flat=True)
            .first()
        )
        before = self.article.revisions.filter(number=(orphaned or 1) - 1).first()
        return before.text if before else self.article.text

    @property
    def flagging_anchoring(self) -> ClaimAnchoring | None:
        """The correction that edited or orphaned the claim's words (while it is flagged):
        its ``old_quote`` is the wording the fact-check was written for."""
        if self.anchor_state == Claim.AnchorState.OK:
            return None
        return (
            self.anchorings.filter(outcome__in=["edited", "orphaned"])
            .select_related("revision")
            .order_by("-revision__number", "-pk")
            .first()
        )


# --------------------------------------------------------------------------- verdicts


class VerdictQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Blind review: a reviewer sees others' verdicts only after submitting their own.

        Moderators see everything; others see their own verdicts, approved verdicts,
        and submitted verdicts on claims where they have submitted one themselves.
        Drafts are only ever seen by their author (and moderators).
        """
        role = Role.of(user)
        if role == Role.MODERATOR:
            return self
        if role is None:
            return self.filter(status=Verdict.Status.APPROVED, claim__status=Claim.Status.PUBLISHED)
        mine_submitted = Verdict.objects.filter(claim=OuterRef("claim"), reviewer=user).exclude(
            status=Verdict.Status.DRAFT
        )
        return self.filter(
            Q(reviewer=user)
            | Q(status=Verdict.Status.APPROVED)
            | (~Q(status=Verdict.Status.DRAFT) & Exists(mine_submitted))
        )

    def awaiting_moderation(self):
        return self.filter(status=Verdict.Status.SUBMITTED)

    def submitted_or_decided(self):
        return self.exclude(status=Verdict.Status.DRAFT)

    def written(self):
        """Verdicts their reviewer wrote for their claim: not the copies a confirmed "same
        claim as" link made of an earlier fact-check's (ClaimLink.verdict), which are no
        judgement of this claim by that reviewer (agreement, a reviewer's count)."""
        return self.filter(reused_by__isnull=True)


class Verdict(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="verdicts")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="verdicts",
        db_index=False,  # verdict_reviewer_status leads with it
    )
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="verdicts")
    rationale = models.TextField(blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderated_verdicts",
    )
    moderation_note = models.TextField(blank=True, default="")
    moderated_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every edit.")

    history = history_records("claim", "reviewer", "rating", "moderator")
    objects = VerdictQuerySet.as_manager()

    class Meta:
        ordering = ["claim_id", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "reviewer"], name="verdict_one_per_reviewer"),
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(status="approved"),
                name="verdict_one_approved_per_claim",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "claim"], name="verdict_status_claim"),
            # The admin's verdict list, newest submission first: without it every page
            # sorted all verdicts (330 ms at 60,000 on SQLite).
            models.Index(fields=["submitted_at", "id"], name="verdict_submitted_id"),
            # A reviewer's own verdicts by status (the review queue's "done" count, a
            # reviewer's work): covering, so SQLite searches it even when its statistics say
            # one reviewer wrote every verdict (the single-column key was scanned past:
            # 8 ms a queue page at 60,000 verdicts).
            models.Index(fields=["reviewer", "status"], name="verdict_reviewer_status"),
        ]

    def __str__(self):
        return f"{self.rating} by {self.reviewer} on claim {self.claim_id}"

    def get_absolute_url(self):
        return reverse("claim-detail", args=[self.claim_id])

    def clean(self):
        from factcheck import lifecycle

        lifecycle.check_verdict_content(self)

    def is_editable_by(self, user) -> bool:
        from factcheck import lifecycle

        return lifecycle.allows(user, "submit", claim=self.claim, verdict=self)


class EvidenceSource(models.Model):
    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="sources")
    url = HttpURLField(max_length=1000)
    title = models.CharField(max_length=300, blank=True, default="")
    excerpt = models.TextField(blank=True, default="")
    order = models.PositiveSmallIntegerField(default=0)

    history = history_records("verdict")

    class Meta:
        ordering = ["verdict_id", "order", "pk"]

    def __str__(self):
        return self.title or self.url


class AttemptCountQuerySet(models.QuerySet):
    @transaction.atomic
    def take(self, free: dict[str, int], now, *, longest: int, forget_after: int):
        """Count one attempt under every key of ``free`` (key: attempts free before the
        delays), before it is judged, unless a key is blocked.

        Returns the seconds to wait (nothing counted) or 0, and each key's state before, for
        ``give_back``. Past its free attempts a key is blocked for a delay that doubles with
        each attempt (60 s, 120 s, ... at most ``longest`` s); a count starts again after
        ``forget_after`` seconds without an attempt. The rows are locked while they are
        counted, and an attempt is counted before its password is checked, so attempts in
        flight at once on any worker or server are counted one by one."""
        made = [
            self.select_for_update().get_or_create(
                key=key, defaults={"count": 0, "last_at": now, "blocked_until": now}
            )
            for key in sorted(free)  # one order: two attempts never wait on each other
        ]
        rows = [row for row, _ in made]
        if any(created for _, created in made):
            self._forget(now, forget_after)
        until = max((row.blocked_until for row in rows), default=now)
        if until > now:
            return max(1, math.ceil((until - now).total_seconds())), {}
        before = {}
        for row in rows:
            before[row.key] = (row.count, row.last_at, row.blocked_until)
            if (now - row.last_at).total_seconds() > forget_after:
                row.count = 0
            row.count += 1
            row.last_at = now
            over = row.count - free[row.key]
            delay = 0 if over < 0 else min(longest, 60 * 2 ** min(over, 20))
            row.blocked_until = now + timedelta(seconds=delay)
            row.save()
        return 0, before

    def _forget(self, now, forget_after: int, at_most: int = 500) -> None:
        """Delete counts forgotten (no attempt for ``forget_after`` seconds, no block left),
        at most ``at_most`` at a time, skipping rows another attempt holds: a new name tried
        from a new address is a new row, and they would otherwise pile up for ever."""
        forgotten = self.filter(
            last_at__lt=now - timedelta(seconds=forget_after), blocked_until__lt=now
        ).select_for_update(skip_locked=True)
        self.filter(pk__in=list(forgotten.values_list("pk", flat=True)[:at_most])).delete()

    @transaction.atomic
    def give_back(self, key: str, taken_at, before: tuple) -> None:
        """Uncount an attempt ``take`` counted at ``taken_at`` (it succeeded). The key is as it
        was if nothing was counted since; otherwise one less, keeping any block set since."""
        row = self.select_for_update().filter(key=key).first()
        if row is None:
            return
        if row.last_at == taken_at:
            row.count, row.last_at, row.blocked_until = before
        else:
            row.count = max(0, row.count - 1)
        row.save()

    def forget(self, key: str) -> None:
        self.filter(key=key).delete()


class AttemptCount(models.Model):
    """Attempts counted under a key (a sign-in's username and address, an address, a password
    reset's e-mail), shared by every worker and app server through the database
    (factcheck.throttle)."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()
    blocked_until = models.DateTimeField()

    objects = AttemptCountQuerySet.as_manager()

    def __str__(self):
        return f"{self.key}: {self.count}"


class BackgroundTaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A task is seen by the one who started it, and by moderators."""
        if Role.has(user, Role.MODERATOR):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(created_by=user)


class BackgroundTask(models.Model):
    """Long work run by a task worker (factcheck.tasks): who asked for it, its input, and how
    it ended. The queue itself is django-tasks' (``queue_id``); this row is what users see."""

    class Kind(models.TextChoices):
        IMPORT = "import", "import"
        SUGGEST = "suggest", "suggest"
        CORRECTION = "correction", "correction"

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"
        CANCELLED = "cancelled", "cancelled"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="background_tasks"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What to do (an import's format, dry run and file name) and its input, emptied once done.
    options = models.JSONField(default=dict, blank=True)
    payload = models.BinaryField(default=b"", editable=False)
    size = models.PositiveBigIntegerField(default=0)
    queue_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    # How it ended: the result, or what went wrong (the API's error shape).
    result = models.JSONField(null=True, blank=True)
    detail = models.TextField(blank=True)
    problems = models.JSONField(default=list, blank=True)

    objects = BackgroundTaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self):
        return f"{self.kind} {self.id} ({self.status})"

    def get_absolute_url(self):
        return reverse("task-detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED


# --------------------------------------------------------------------------- suggestions


def text_hash(text: str) -> str:
    """What a suggestion remembers of the article text it was made on (SHA-256, hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Suggestion.Status.PENDING)

    def for_text_of(self, article: Article, *, digest: str | None = None):
        """The suggestions made on ``article``'s current text (not on an earlier one);
        ``digest`` is its ``text_hash`` when the caller has it (0.1 ms for 100,000 chars)."""
        return self.filter(article=article, text_hash=digest or text_hash(article.text))

    def in_text_order(self):
        return self.order_by("start", "-end", "pk")


class Suggestion(models.Model):
    """A claim the detector (factcheck.detect) proposes: not a claim until someone accepts it.

    Suggestions are seen by desk members only, on the reading page and through the API; no
    export and no public page reads them. One proposal per article text, kind and span: a
    rejected one is never proposed again for the same text (the unique constraint below), an
    accepted one is already a claim.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    # Provenance: which detector, when, on which text.
    detector_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    text_hash = models.CharField(max_length=64, help_text="SHA-256 of the article text.")
    kind = models.CharField(max_length=20, choices=Claim.Kind.choices)
    start = models.IntegerField(help_text="Code-point offset of the first character.")
    end = models.IntegerField(help_text="Code-point offset just past the last character.")
    quote = models.TextField(help_text="Exactly article.text[start:end].")
    prefix = models.CharField(max_length=textlib.CONTEXT_LENGTH, blank=True, default="")
    suffix = models.CharField(max_length=textlib.CONTEXT_LENGTH, blank=True, default="")
    cue_start = models.IntegerField(null=True, blank=True)
    cue_end = models.IntegerField(null=True, blank=True)
    source_start = models.IntegerField(null=True, blank=True)
    source_end = models.IntegerField(null=True, blank=True)
    # Who said it: a registry speaker, or a new one by name and kind; neither is the author.
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    speaker_name = models.CharField(max_length=200, blank=True, default="")
    speaker_kind = models.CharField(
        max_length=20, choices=Speaker.Kind.choices, blank=True, default=""
    )
    # The occasion: a registry statement, or a new one (title, kind, date); proposals of one
    # occasion share ``statement_group``.
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    statement_title = models.CharField(max_length=300, blank=True, default="")
    statement_kind = models.CharField(
        max_length=20, choices=Statement.Kind.choices, blank=True, default=""
    )
    statement_date = models.DateField(null=True, blank=True)
    statement_group = models.CharField(max_length=100, blank=True, default="")
    confidence = models.FloatField()
    check_worthiness = models.FloatField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["article_id", "start", "-end", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "text_hash", "kind", "start", "end"],
                name="suggestion_once_per_text_span_kind",
            ),
            models.CheckConstraint(condition=Q(start__gte=0), name="suggestion_start_not_negative"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="suggestion_end_after_start"
            ),
            models.CheckConstraint(
                condition=(Q(cue_start__isnull=True) & Q(cue_end__isnull=True))
                | (
                    # Spelled out: a NULL in a comparison would pass the CHECK.
                    Q(cue_start__isnull=False, cue_end__isnull=False)
                    & Q(cue_start__gte=0)
                    & Q(cue_end__gt=models.F("cue_start"))
                ),
                name="suggestion_cue_span_valid",
            ),
            models.CheckConstraint(
                condition=(Q(source_start__isnull=True) & Q(source_end__isnull=True))
                | (
                    # Spelled out: a NULL in a comparison would pass the CHECK.
                    Q(source_start__isnull=False, source_end__isnull=False)
                    & Q(source_start__gte=0)
                    & Q(source_end__gt=models.F("source_start"))
                ),
                name="suggestion_source_span_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1),
                name="suggestion_confidence_0_to_1",
            ),
            models.CheckConstraint(
                condition=Q(check_worthiness__gte=0, check_worthiness__lte=1),
                name="suggestion_check_worthiness_0_to_1",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Claim.Kind.values), name="suggestion_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "rejected"]),
                name="suggestion_status_known",
            ),
            # Pending: nobody decided yet; decided: who (until their account goes) and when.
            models.CheckConstraint(
                condition=(Q(status="pending") & Q(decided_at__isnull=True) & Q(claim__isnull=True))
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="suggestion_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | Q(claim__isnull=True),
                name="suggestion_rejected_has_no_claim",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} suggested: {textlib.shorten(self.quote, 60)}"

    @property
    def cue(self) -> tuple[int, int] | None:
        return (self.cue_start, self.cue_end) if self.cue_start is not None else None

    @property
    def source_mention(self) -> tuple[int, int] | None:
        return (self.source_start, self.source_end) if self.source_start is not None else None

    @property
    def proposes_speaker(self) -> bool:
        """False when the proposal is the article's author's own words."""
        return self.speaker_id is not None or bool(self.speaker_name)

    @property
    def proposes_statement(self) -> bool:
        return self.statement_id is not None or bool(self.statement_title)

    def made_on(self, text: str) -> bool:
        return self.text_hash == text_hash(text)


# --------------------------------------------------------------------------- claim links


class ClaimLinkQuerySet(models.QuerySet):
    def live(self):
        """Links in force or waiting for a moderator (at most one per claim)."""
        return self.filter(status__in=ClaimLink.LIVE)

    def confirmed(self):
        return self.filter(status=ClaimLink.Status.CONFIRMED)

    def with_people(self):
        """With who proposed, confirmed and unlinked each link (what every reader shows)."""
        return self.select_related("proposed_by", "confirmed_by", "unlinked_by")

    def visible_to(self, user):
        """Desk members see every link; others only confirmed links between two published
        fact-checks (a proposal is the desk's business)."""
        if Role.of(user) is not None:
            return self
        return self.confirmed().filter(
            claim__status=Claim.Status.PUBLISHED, earlier__status=Claim.Status.PUBLISHED
        )

    def root_of(self, claim: Claim) -> Claim:
        """The fact-check ``claim`` reuses (a confirmed link's earlier one), else ``claim``:
        links always point to a root, never to another reuse."""
        link = self.confirmed().filter(claim=claim).select_related("earlier").first()
        return link.earlier if link is not None else claim


class ClaimLink(models.Model):
    """ "Same claim as …": a claim linked to an earlier published fact-check, whose verdict it
    reuses once a moderator confirms (factcheck.actions.link_claim / confirm_link /
    unlink_claim; who may do what is lifecycle.TRANSITIONS' "link" rows).

    Confirmed, the claim is published with ``verdict``: a copy of the earlier approved verdict
    (``earlier_verdict``: rating, rationale, sources; its reviewer's) on the claim itself, so
    every reader (pages, API, exports) finds an approved verdict as for any fact-check. A link
    is never deleted by hand: unlinking records who, when and why, and the claim may be linked
    again (a new row). ``earlier`` is always a root (a fact-check that reuses no other one),
    checked by the action under lock (a rule across rows no constraint can say).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CONFIRMED = "confirmed", "Confirmed"
        UNLINKED = "unlinked", "Unlinked"

    LIVE = (Status.PROPOSED, Status.CONFIRMED)

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links")
    earlier = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reuses")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    score = models.FloatField(
        null=True, blank=True, help_text="The matcher's score when proposed from a match (0-1)."
    )
    note = models.TextField(blank=True, default="")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The earlier approved verdict reused, and its copy on ``claim`` (while confirmed).
    earlier_verdict = models.ForeignKey(
        Verdict, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict = models.OneToOneField(
        Verdict, null=True, blank=True, on_delete=models.SET_NULL, related_name="reused_by"
    )
    unlinked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unlinked_at = models.DateTimeField(null=True, blank=True)
    unlink_note = models.TextField(blank=True, default="")

    history = history_records(
        "claim",
        "earlier",
        "proposed_by",
        "confirmed_by",
        "earlier_verdict",
        "verdict",
        "unlinked_by",
    )
    objects = ClaimLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["earlier", "status"], name="claimlink_earlier_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(status__in=["proposed", "confirmed"]),
                name="claimlink_one_live_per_claim",
                violation_error_message="This claim is already linked; unlink it first.",
            ),
            models.CheckConstraint(
                condition=~Q(claim=models.F("earlier")), name="claimlink_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "confirmed", "unlinked"]),
                name="claimlink_status_known",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="claimlink_score_0_to_1",
            ),
            # Each state records its decision: confirmed when, unlinked when.
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="claimlink_confirmation_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="unlinked") | Q(unlinked_at__isnull=False),
                name="claimlink_unlink_recorded",
            ),
        ]

    def __str__(self):
        return f"claim {self.claim_id} same as {self.earlier_id} ({self.status})"

    def get_absolute_url(self):
        return reverse("claim-detail", args=[self.claim_id])

    @property
    def live(self) -> bool:
        return self.status in self.LIVE
