"""Demo data: a short original article with speakers, statements, claims and verdicts.

Everything is written through ``factcheck.actions`` so the demo takes the same path
as real work. ``load_demo()`` is idempotent: a second run changes nothing.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from factcheck import actions
from factcheck.models import Article, Claim, Rating, Role, Speaker, Statement

DEMO_URL = "https://demo.factcheck.example.org/nordhavn-bridge-toll"
DEMO_PASSWORD = "factcheck-demo"  # noqa: S105 - demo accounts only, printed by `make run`
DEMO_USERS = [
    ("alice", Role.ANNOTATOR),
    ("bob", Role.REVIEWER),
    ("carol", Role.REVIEWER),
    ("dana", Role.MODERATOR),
]

TITLE = "Harbour bridge toll splits Nordhavn as council and ferry operator trade figures"
TEXT = """\
NORDHAVN — The city council voted on Tuesday to raise the harbour bridge toll from €2.50 to \
€4.00, the first increase since 2015.

In a press release issued after the vote, Mayor Ingrid Solberg said: “The toll has not changed \
in ten years, while maintenance costs have doubled.” She added that the extra revenue would go \
“entirely to repairs, not to the general budget.”

Coastal Ferries, which runs the only crossing that competes with the bridge, welcomed the \
decision. Its chief executive, Tomas Berg, told Radio Nordhavn that ferry ridership had fallen \
by a third since the bridge opened and that the company “carries more than 4,000 passengers on \
a normal weekday.”

The regional transport authority said in a communiqué that the bridge carries about 38,000 \
vehicles a day and that the higher toll could push up to 3,000 of them onto the ferry or the \
ring road. According to the authority, the ring road is already “at capacity during rush hour.”

Solberg also claimed that Nordhavn’s toll would still be “the cheapest in the region.” Two \
neighbouring towns charge €3.50 and €5.00 for similar crossings.

Critics were less convinced. Café owner Mette Lund, whose business sits at the foot of the \
bridge, said she fears losing customers who drive in from the suburbs. 🚗🌉
"""

SPEAKERS = [
    ("Ingrid Solberg", Speaker.Kind.PERSON, "Mayor of Nordhavn", "Mayor Solberg\nSolberg"),
    ("Tomas Berg", Speaker.Kind.PERSON, "Chief executive of Coastal Ferries", "Berg"),
    (
        "Regional Transport Authority",
        Speaker.Kind.GOVERNMENT,
        "Roads and ferries regulator",
        "the authority",
    ),
]
STATEMENTS = [
    (
        "Ingrid Solberg",
        "Press release after the toll vote",
        Statement.Kind.PRESS_RELEASE,
        datetime.date(2026, 3, 3),
        "City of Nordhavn website",
    ),
    (
        "Tomas Berg",
        "Interview with Radio Nordhavn",
        Statement.Kind.INTERVIEW,
        datetime.date(2026, 3, 4),
        "Radio Nordhavn",
    ),
    (
        "Regional Transport Authority",
        "Communiqué on the bridge toll",
        Statement.Kind.COMMUNIQUE,
        datetime.date(2026, 3, 4),
        "Authority newsroom",
    ),
]
# quote, kind, speaker, statement, summary, verdicts [(reviewer, rating, rationale)], approve
CLAIMS = [
    (
        "The toll has not changed in ten years, while maintenance costs have doubled.",
        Claim.Kind.DIRECT_QUOTE,
        "Ingrid Solberg",
        "Press release after the toll vote",
        "Bridge maintenance costs doubled while the toll stayed flat for ten years",
        [
            (
                "bob",
                "Half true",
                "The toll last rose in 2015, eleven years ago; maintenance costs rose 60%, "
                "not 100%.",
            ),
            (
                "carol",
                "Mostly true",
                "Flat toll confirmed; cost growth is close to doubling in the 2025 budget.",
            ),
        ],
        None,
    ),
    (
        "The toll has not changed in ten years",
        Claim.Kind.DIRECT_QUOTE,
        "Ingrid Solberg",
        "Press release after the toll vote",
        "The bridge toll has been unchanged for ten years",
        [],
        None,
    ),
    (
        "the extra revenue would go “entirely to repairs, not to the general budget.”",
        Claim.Kind.MIXED_QUOTE,
        "Ingrid Solberg",
        "Press release after the toll vote",
        "All extra toll revenue will fund bridge repairs",
        [],
        None,
    ),
    (
        "ferry ridership had fallen by a third since the bridge opened",
        Claim.Kind.INDIRECT_QUOTE,
        "Tomas Berg",
        "Interview with Radio Nordhavn",
        "Ferry ridership fell by a third since the bridge opened",
        [
            ("bob", "Mostly true", "Operator filings show a 31% fall between 2008 and 2025."),
            ("carol", "Mostly true", "Annual reports: 1.9m to 1.3m passengers, a 32% fall."),
        ],
        "bob",
    ),
    (
        "carries more than 4,000 passengers on a normal weekday",
        Claim.Kind.DIRECT_QUOTE,
        "Tomas Berg",
        "Interview with Radio Nordhavn",
        "Coastal Ferries carries over 4,000 passengers a weekday",
        [],
        None,
    ),
    (
        "the bridge carries about 38,000 vehicles a day",
        Claim.Kind.INDIRECT_QUOTE,
        "Regional Transport Authority",
        "Communiqué on the bridge toll",
        "The bridge carries about 38,000 vehicles a day",
        [
            ("bob", "True", "Traffic counter data for 2025 average 37,800 vehicles a day."),
            ("carol", "True", "Matches the authority's published counts."),
        ],
        None,
    ),
    (
        "Nordhavn’s toll would still be “the cheapest in the region.”",
        Claim.Kind.MIXED_QUOTE,
        "Ingrid Solberg",
        "Press release after the toll vote",
        "Nordhavn's toll will be the cheapest in the region",
        [
            (
                "bob",
                "False",
                "At €4.00 it is dearer than the €3.50 charged in a neighbouring town.",
            ),
            ("carol", "False", "A neighbouring crossing costs €3.50, less than the new €4.00."),
        ],
        "carol",
    ),
    (
        "the first increase since 2015",
        Claim.Kind.AUTHOR_CLAIM,
        None,
        None,
        "The toll has not risen since 2015",
        [],
        None,
    ),
]


@transaction.atomic
def load_demo() -> tuple[Article, bool]:
    """Create the demo users and article; returns (article, created)."""
    users = _demo_users()
    existing = Article.objects.filter(url=DEMO_URL).first()
    if existing:
        return existing, False
    article = actions.create_article(
        title=TITLE,
        text=TEXT,
        url=DEMO_URL,
        publisher="Nordhavn Courier",
        byline="Staff reporter",
        published_on=datetime.date(2026, 3, 5),
        language="en",
        by=users["alice"],
    )
    for name, kind, description, aliases in SPEAKERS:
        Speaker.objects.get_or_create(
            name=name, defaults={"kind": kind, "description": description, "aliases": aliases}
        )
    for speaker, title, kind, date, venue in STATEMENTS:
        Statement.objects.get_or_create(
            speaker=Speaker.objects.get(name=speaker),
            title=title,
            defaults={"kind": kind, "date": date, "venue": venue},
        )
    ratings = {r.label: r for r in Rating.objects.all()}
    for quote, kind, speaker, statement, summary, verdicts, approve in CLAIMS:
        claim = actions.create_claim(
            article=article,
            by=users["alice"],
            start=TEXT.index(quote),
            end=TEXT.index(quote) + len(quote),
            kind=kind,
            speaker_name=speaker or "",
            statement_title=statement or "",
            summary=summary,
        )
        given = {}
        for reviewer, rating, rationale in verdicts:
            given[reviewer] = actions.save_verdict(
                claim=claim,
                reviewer=users[reviewer],
                rating=ratings[rating],
                rationale=rationale,
                sources=[
                    actions.Source(
                        url=f"https://demo.factcheck.example.org/sources/{claim.pk}-{reviewer}",
                        title=f"Evidence gathered by {reviewer}",
                    )
                ],
            )
        if approve:
            actions.approve_verdict(verdict=given[approve], by=users["dana"], note="Well sourced.")
    return article, True


def _demo_users():
    User = get_user_model()
    users = {}
    for username, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": role == Role.MODERATOR}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users
