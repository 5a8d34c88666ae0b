"""A reproducible benchmark data set, loaded with bulk inserts.

The default size is the issue's: 1,000 articles of about 7,000 characters with 100 claims
each (100,000 claims) plus one 100,000-character article with 1,000 claims, speakers,
statements, verdicts in every state and evidence for the approved ones. ``--scale 10``
makes ten times as much (1,000,000 claims; meant for PostgreSQL).

    DATABASE_URL=... python -m bench.generate --scale 1

Claims are built in memory straight from the generated text (quote, prefix and suffix
are exact), so they pass ``Claim.check_against_text`` without paying for it per row.
Histories (django-simple-history) are not written: bulk inserts skip them, as a real
import would not.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import time
import unicodedata
from dataclasses import asdict, dataclass, field

SEED = 20260305
PASSWORD = "bench-password"  # noqa: S105 - throwaway benchmark accounts
BATCH = 2000

_WORDS = {
    "first": "Ingrid Tomas Mette Aksel Sofie Jonas Linnea Omar Amira Pavel Zofia Hanne Yusuf "
    "Clara Matteo Élodie Jürgen Siobhan Kenji Ana Bjørn Noor Lucía Emeka Priya Dmitri Ewa Finn "
    "Grete Hassan Ida Jakub Karin Lars Maja Nils Olga Pia Rasmus Saga Tove Ulf Vera Wiebke",
    "last": "Solberg Berg Lund Dahl Haugen Nielsen Kowalski Novak Rossi García Müller Ó'Brien "
    "Tanaka Silva Eriksen Petrov Nowak Jansen Fischer Moreau Okafor Sharma Costa Virtanen Holm "
    "Bakke Strand Lie Aas Moe Vik Sandvik Brekke Kristensen Larsen Olsen Pedersen Hansen",
    "syllables": "ba be bi bo bu da de di do du fa fe fi ka ke ki ko la le li lo lu ma me mi mo "
    "na ne ni no ra re ri ro sa se si so ta te ti to va ve vi vo ström gård ø é ü",
    # Common words keep the text readable-ish; a few non-ASCII ones (an emoji is two UTF-16
    # units but one code point) keep the offset arithmetic honest.
    "common": "the a of to and in that is was for on said with as by at from it has have not "
    "are more than per cent million council mayor bridge ferry road minister budget year "
    "figures people vehicles day week report €4.00 38,000 — “quoted” café 🚗",
}
FIRST, LAST, SYLLABLES, COMMON = (
    _WORDS[k].split() for k in ("first", "last", "syllables", "common")
)
_TOPICS = (
    "the harbour bridge toll;ferry ridership;the ring road;school budgets;hospital waiting "
    "times;the wind farm;rents in the old town;bus fares;the fishing quota;youth unemployment;"
    "the new library;flood defences;the airport expansion;water prices;the port authority"
)
TOPICS = _TOPICS.split(";")


@dataclass
class Size:
    """How much to make."""

    articles: int = 1000
    claims_per_article: int = 100
    article_chars: int = 7000
    big_article_chars: int = 100_000
    big_article_claims: int = 1000
    speakers: int = 2000
    statements_per_speaker: int = 5

    @classmethod
    def scaled(cls, scale: float) -> Size:
        return cls(
            articles=max(1, round(1000 * scale)),
            speakers=max(5, round(2000 * scale)),
            # The long article keeps its 1,000 highlights from scale 1 up; smoke runs shrink it.
            big_article_claims=max(20, min(1000, round(1000 * scale))),
            big_article_chars=max(2000, min(100_000, round(100_000 * scale))),
        )

    @property
    def claims(self) -> int:
        return self.articles * self.claims_per_article + self.big_article_claims


@dataclass
class Dataset:
    """What was made, with the ids a benchmark needs."""

    size: dict
    seed: int
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0
    rows_per_second: float = 0.0
    claims_per_second: float = 0.0
    big_article_id: int | None = None
    small_article_id: int | None = None
    users: dict = field(default_factory=dict)  # role -> username

    def as_dict(self) -> dict:
        return asdict(self)


class TextMaker:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = COMMON * 3 + [
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(600)
        ]

    def sentence(self) -> str:
        rng = self.rng
        words = rng.choices(self.words, k=rng.randint(8, 22))
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + rng.choice(".......?!")

    def text(self, chars: int) -> str:
        paragraphs, total = [], 0
        while total < chars:
            paragraph = " ".join(self.sentence() for _ in range(self.rng.randint(3, 6)))
            paragraphs.append(paragraph)
            total += len(paragraph) + 2
        return unicodedata.normalize("NFC", "\n\n".join(paragraphs)[:chars].rstrip() + ".")


def spans(text: str, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """``count`` non-overlapping word-aligned spans, one in each equal slice of ``text``."""
    out = []
    if count <= 0:
        return out
    width = len(text) / count
    for i in range(count):
        lo, hi = int(i * width), int((i + 1) * width)
        start = lo + rng.randint(0, max(0, (hi - lo) // 3))
        space = text.find(" ", start, hi)
        start = space + 1 if space != -1 and space + 1 < hi else start
        end = min(hi, start + rng.randint(20, 140))
        cut = text.rfind(" ", start + 1, end)
        end = cut if cut > start else end
        if end > start and text[start:end].strip():
            out.append((start, end))
    return out


def _status(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.40:
        return "open"
    if r < 0.65:
        return "in_review"
    if r < 0.90:
        return "published"
    return "rejected"


def ensure_users() -> dict:
    """One persona per role, all with the password ``PASSWORD``."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from factcheck.models import Role
    from factcheck.roles import ensure_role_groups

    ensure_role_groups()
    people = {
        "annotator": ("bench-annotator", Role.ANNOTATOR),
        "reviewer": ("bench-reviewer", Role.REVIEWER),
        "reviewer2": ("bench-reviewer2", Role.REVIEWER),
        "moderator": ("bench-moderator", Role.MODERATOR),
    }
    users, hashed = {}, make_password(PASSWORD)
    for key, (username, role) in people.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.org",
                "is_staff": role == Role.MODERATOR,
                "password": hashed,
            },
        )
        if created:
            user.groups.add(Group.objects.get(name=role.value))
        users[key] = user
    return users


def generate(
    size: Size | None = None, *, seed: int = SEED, progress=None, analyze: bool = True
) -> Dataset:
    """Fill the current database (expected empty of bench data) and say how fast it went."""
    from django.db import connection, transaction

    from factcheck import text as textlib
    from factcheck.models import (
        Article,
        Claim,
        EvidenceSource,
        Rating,
        Speaker,
        Statement,
        Verdict,
    )

    size = size or Size()
    say = progress or (lambda message: None)
    rng = random.Random(seed)
    maker = TextMaker(rng)
    data = Dataset(size=asdict(size), seed=seed)
    rows = dict.fromkeys(["articles", "speakers", "statements", "claims", "verdicts", "sources"], 0)
    began = time.perf_counter()
    users = ensure_users()
    data.users = {key: u.username for key, u in users.items()}
    ratings = list(Rating.objects.order_by("order", "pk"))
    if not ratings:
        ratings = [Rating.objects.create(label="True", value=5)]
    today = datetime.date(2026, 3, 5)

    with transaction.atomic():
        # Speakers and their statements.
        speakers, seen = [], set()
        for i in range(size.speakers):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if name.casefold() in seen:
                name = f"{name} {i}"
            seen.add(name.casefold())
            kind = "person" if rng.random() < 0.8 else rng.choice(["organisation", "government"])
            speakers.append(
                Speaker(
                    name=name,
                    kind=kind,
                    description=f"Spokesperson on {rng.choice(TOPICS)}",
                    aliases=name.split()[-1] if rng.random() < 0.3 else "",
                    wikidata_id=f"Q{rng.randint(1, 10**7)}" if rng.random() < 0.2 else "",
                )
            )
        speakers = Speaker.objects.bulk_create(speakers, batch_size=BATCH)
        rows["speakers"] = len(speakers)
        statements = []
        for s in speakers:
            for j in range(size.statements_per_speaker):
                statements.append(
                    Statement(
                        speaker=s,
                        title=f"{rng.choice(['Interview', 'Press release', 'Speech', 'Post'])} "
                        f"on {rng.choice(TOPICS)} ({j + 1})",
                        kind=rng.choice(["interview", "press_release", "speech", "social_post"]),
                        date=today - datetime.timedelta(days=rng.randint(0, 3650)),
                        venue=rng.choice(["Radio Nordhavn", "City hall", "Harbour Gazette", ""]),
                    )
                )
        statements = Statement.objects.bulk_create(statements, batch_size=BATCH)
        rows["statements"] = len(statements)
        say(f"{len(speakers):,} speakers, {len(statements):,} statements")
        per_speaker = size.statements_per_speaker

        # Articles and claims, a slice at a time so memory stays flat at any scale.
        plan = [(size.article_chars, size.claims_per_article)] * size.articles
        if size.big_article_claims:
            plan.append((size.big_article_chars, size.big_article_claims))
        slice_size = 100
        for first in range(0, len(plan), slice_size):
            part = plan[first : first + slice_size]
            articles, texts = [], []
            for k, (chars, _) in enumerate(part):
                n = first + k
                text = maker.text(chars)
                texts.append(text)
                articles.append(
                    Article(
                        title=f"{rng.choice(TOPICS).capitalize()}: report {n + 1}",
                        url=f"https://news.example.org/bench/{seed}/{n + 1}",
                        publisher=rng.choice(
                            ["Harbour Gazette", "Nordhavn Post", "Radio Nordhavn"]
                        ),
                        byline=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        published_on=today - datetime.timedelta(days=n % 3650),
                        text=text,
                        created_by=users["annotator"],
                    )
                )
            articles = Article.objects.bulk_create(articles, batch_size=200)
            rows["articles"] += len(articles)
            claims = []
            now = datetime.datetime(2026, 3, 5, 12, tzinfo=datetime.UTC)
            for article, text, (_, count) in zip(articles, texts, part, strict=True):
                for start, end in spans(text, count, rng):
                    prefix, suffix = textlib.context_of(text, start, end)
                    speaker_i = rng.randrange(len(speakers))
                    with_statement = rng.random() < 0.7
                    claims.append(
                        Claim(
                            article=article,
                            start=start,
                            end=end,
                            quote=text[start:end],
                            prefix=prefix,
                            suffix=suffix,
                            kind=rng.choice(
                                ["direct_quote", "indirect_quote", "mixed_quote", "author_claim"]
                            ),
                            speaker=speakers[speaker_i],
                            statement=statements[
                                speaker_i * per_speaker + rng.randrange(per_speaker)
                            ]
                            if with_statement
                            else None,
                            summary=textlib.shorten(text[start:end], 120),
                            check_worthy=rng.random() < 0.9,
                            status=(status := _status(rng)),
                            published_at=now if status == "published" else None,
                            created_by=users["annotator"],
                        )
                    )
            claims = Claim.objects.bulk_create(claims, batch_size=BATCH)
            rows["claims"] += len(claims)
            if size.big_article_claims and first + len(part) == len(plan):
                data.big_article_id = articles[-1].pk
            if first == 0:
                data.small_article_id = articles[0].pk

            verdicts, approved = [], []
            for c in claims:
                if c.status == "in_review":
                    # Someone else's submitted verdict: the claim stays in bench-reviewer's queue.
                    verdicts.append(
                        Verdict(
                            claim=c,
                            reviewer=users["reviewer2"],
                            rating=rng.choice(ratings),
                            rationale="Checked against the council minutes.",
                            status="submitted",
                            submitted_at=now,
                        )
                    )
                elif c.status in ("published", "rejected"):
                    v = Verdict(
                        claim=c,
                        reviewer=users["reviewer2"],
                        rating=rng.choice(ratings),
                        rationale="The figures in the annual report say otherwise. " * 2,
                        status="approved" if c.status == "published" else "rejected",
                        moderator=users["moderator"],
                        moderated_at=now,
                        submitted_at=now,
                    )
                    verdicts.append(v)
                    if c.status == "published":
                        approved.append(v)
            verdicts = Verdict.objects.bulk_create(verdicts, batch_size=BATCH)
            rows["verdicts"] += len(verdicts)
            sources = [
                EvidenceSource(
                    verdict=v,
                    url=f"https://stats.example.org/tables/{v.claim_id}",
                    title="Annual report, table 4",
                    excerpt="Average daily crossings.",
                )
                for v in approved
            ]
            EvidenceSource.objects.bulk_create(sources, batch_size=BATCH)
            rows["sources"] += len(sources)
            done = first + len(part)
            if done % 1000 == 0 or done == len(plan):
                elapsed = time.perf_counter() - began
                say(
                    f"{rows['articles']:,} articles, {rows['claims']:,} claims "
                    f"({rows['claims'] / elapsed:,.0f} claims/s)"
                )
    if analyze:  # as autovacuum would have left it by the morning
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                # Fresh statistics, and the dead rows the load left gone: each published claim
                # bumps its speaker's and statement's published_claims (a trigger, migration
                # 0018), ~20,000 dead versions of 12,000 rows that every look-up by key would
                # otherwise wade through (this server runs with autovacuum off). Not in a test's
                # transaction, where VACUUM cannot run.
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")
    data.seconds = round(time.perf_counter() - began, 2)
    data.rows = rows
    data.rows_per_second = round(sum(rows.values()) / data.seconds)
    data.claims_per_second = round(rows["claims"] / data.seconds)
    return data


def credentials(usernames: dict) -> dict:
    """An API token and a signed-in session per persona, for a load tool's headers."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from rest_framework.authtoken.models import Token

    out = {}
    for key, username in usernames.items():
        user = User.objects.get(username=username)
        token, _ = Token.objects.get_or_create(user=user)
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        out[key] = {
            "username": username,
            "token": token.key,
            "cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
        }
    return out


def facts(data: Dataset) -> dict:
    """Ids the endpoints need and the counts the exports are divided by."""
    from factcheck.models import Article, Claim, Verdict

    first = Claim.objects.filter(article_id=data.small_article_id).order_by("pk").first()
    small = Article.objects.only("text").get(pk=data.small_article_id)
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = f"{connection.vendor} {cursor.fetchone()[0]}"
    return {
        "database_version": version,
        "ids": {
            "big_article": data.big_article_id,
            "small_article": data.small_article_id,
            "speaker": first.speaker_id,
            "claim": first.pk,
            # An article no load touches (claim creation fills the small one with highlights).
            "quiet_article": Article.objects.exclude(
                pk__in=[data.small_article_id, data.big_article_id]
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
            or data.small_article_id,
        },
        "small_article_chars": len(small.text),
        "claims": Claim.objects.count(),
        "published_claims": Verdict.objects.filter(
            status=Verdict.Status.APPROVED, claim__status=Claim.Status.PUBLISHED
        ).count(),
        "articles": Article.objects.count(),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 claims")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", help="write the data set's facts and credentials here")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="no data: migrate a kept data set and renew the credentials in --json",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - began
    if args.refresh:
        # Code since the data set was made may have new migrations or a new auth backend
        # (a session names the backend that signed it in).
        with open(args.json, encoding="utf-8") as f:
            report = json.load(f)
        report["credentials"] = credentials(report["dataset"]["users"])
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
        print(f"migrated and renewed credentials in {time.perf_counter() - began:.1f} s")
        return
    data = generate(Size.scaled(args.scale), seed=args.seed, progress=print)
    print(
        f"loaded {sum(data.rows.values()):,} rows in {data.seconds:.1f} s: "
        f"{data.rows_per_second:,} rows/s, {data.claims_per_second:,} claims/s"
    )
    if args.json:
        report = {
            "dataset": data.as_dict(),
            "migrate_seconds": round(migrated, 2),
            **facts(data),
            "credentials": credentials(data.users),
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
