"""A small newsroom in every state, built through the actions, for the attack tests.

alice (annotator) wrote every claim; mallory is a second annotator who owns nothing;
bob and carol review, dana moderates, eve has signed up with no role. One article holds
an open, an in-review, a published and a rejected claim. A second article ("the secret
one") has only an unpublished claim whose every field carries ``SECRET`` markers, so a
leak anywhere shows up as the marker in a response body.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.test import override_settings
from rest_framework.authtoken.models import Token

from factcheck import actions
from factcheck.models import Article, Claim, Rating, Verdict
from tests.conftest import ARTICLE_TEXT, make_user

# Personas in the order the permission matrix lists them.
ROLES = ("anon", "eve", "mallory", "alice", "bob", "dana")

SECRET_TEXT = (
    "Unpublished SECRET-ARTICLE-TEXT: the minister said the dam cost 9 billion.\n"
    "Nobody outside the desk may read this yet.\n"
)
SECRET = {
    "article_title": "SECRET-ARTICLE-TITLE",
    "speaker": "SECRET-SPEAKER",
    "statement": "SECRET-STATEMENT",
    "summary": "SECRET-SUMMARY",
    "quote": "the dam cost 9 billion",
    "draft_rationale": "SECRET-DRAFT-RATIONALE",
    "submitted_rationale": "SECRET-SUBMITTED-RATIONALE",
    "rejected_rationale": "SECRET-REJECTED-RATIONALE",
}


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]
    article: Article
    secret_article: Article
    open_claim: Claim
    review_claim: Claim
    published_claim: Claim
    rejected_claim: Claim
    secret_claim: Claim
    bob_submitted: Verdict  # on review_claim
    carol_draft: Verdict  # on review_claim
    approved: Verdict  # bob's, on published_claim
    carol_rejected: Verdict  # on published_claim
    ratings: dict[str, Rating] = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def span(text: str, quote: str) -> dict:
    start = text.index(quote)
    return {"start": start, "end": start + len(quote)}


@contextmanager
def world_in_transaction():
    """The world inside a transaction that is rolled back afterwards (for module fixtures)."""
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build_world() -> World:
    users = {
        "eve": make_user("eve"),
        "mallory": make_user("mallory", "annotator"),
        "alice": make_user("alice", "annotator"),
        "bob": make_user("bob", "reviewer"),
        "carol": make_user("carol", "reviewer"),
        "dana": make_user("dana", "moderator"),
    }
    alice, bob, carol, dana = (users[n] for n in ("alice", "bob", "carol", "dana"))
    ratings = {r.label: r for r in Rating.objects.all()}
    true, false = ratings["True"], ratings["False"]
    true.save()  # the scale comes from a data migration, which leaves no history row
    article = actions.create_article(
        title="Bridge toll row", text=ARTICLE_TEXT, url="https://news.example.org/bridge", by=alice
    )

    def claim(art, quote, **kw):
        return actions.create_claim(article=art, by=alice, **span(art.text, quote), **kw)

    open_claim = claim(article, "ridership fell by a third", speaker_name="Tomas Berg")
    review_claim = claim(article, "38,000 vehicles a day", speaker_name="Ingrid Solberg")
    published_claim = claim(article, "The ferry operator said", summary="Operator spoke")
    rejected_claim = claim(article, "The mayor said the bridge")
    bob_submitted = actions.save_verdict(
        claim=review_claim, reviewer=bob, rating=true, rationale=SECRET["submitted_rationale"]
    )
    carol_draft = actions.save_verdict(
        claim=review_claim,
        reviewer=carol,
        rating=false,
        rationale=SECRET["draft_rationale"],
        submit=False,
    )
    approved = actions.save_verdict(
        claim=published_claim,
        reviewer=bob,
        rating=true,
        rationale="Public rationale",
        sources=[actions.Source(url="https://stats.example.org/ferry", title="Ferry statistics")],
    )
    carol_rejected = actions.save_verdict(
        claim=published_claim, reviewer=carol, rating=false, rationale=SECRET["rejected_rationale"]
    )
    actions.reject_verdict(verdict=carol_rejected, by=dana, note="No sources.")
    approved = actions.approve_verdict(verdict=approved, by=dana)
    actions.reject_claim(claim=rejected_claim, by=dana, note="Not check-worthy")

    secret_article = actions.create_article(
        title=SECRET["article_title"], text=SECRET_TEXT, by=alice
    )
    secret_claim = claim(
        secret_article,
        SECRET["quote"],
        speaker_name=SECRET["speaker"],
        statement_title=SECRET["statement"],
        summary=SECRET["summary"],
    )
    for c in (open_claim, review_claim, published_claim, rejected_claim, secret_claim):
        c.refresh_from_db()
    for v in (bob_submitted, carol_draft, approved, carol_rejected):
        v.refresh_from_db()
    tokens = {name: Token.objects.create(user=user).key for name, user in users.items()}
    return World(
        users=users,
        tokens=tokens,
        article=article,
        secret_article=secret_article,
        open_claim=open_claim,
        review_claim=review_claim,
        published_claim=published_claim,
        rejected_claim=rejected_claim,
        secret_claim=secret_claim,
        bob_submitted=bob_submitted,
        carol_draft=carol_draft,
        approved=approved,
        carol_rejected=Verdict.objects.get(pk=carol_rejected.pk),
        ratings=ratings,
    )
