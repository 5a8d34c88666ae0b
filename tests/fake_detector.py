"""A tiny stand-in for factcheck.detect.detect, for tests (settings.FACTCHECK_DETECTOR).

It proposes every "double-quoted" passage as a direct quote; one followed by `, said NAME` or
`, NAME said` gets that cue, NAME as source mention and speaker (the registry's, by name or
alias, else a new person) and the statement "Remarks by NAME" (the registry's if that speaker
has one so titled). Tests that need other proposals set ``OVERRIDE``.
"""

from __future__ import annotations

import datetime
import re

from factcheck.detect import Part, Proposal, SpeakerGuess, StatementGuess

NAME = r"(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)*)"
QUOTE = re.compile(
    r'"(?P<quote>[^"\n]+?)[,.]?"(?:,? (?:(?P<cue1>said|added) '
    + NAME.replace("name", "n1")
    + r"|"
    + NAME.replace("name", "n2")
    + r" (?P<cue2>said|added)))?"
)
OVERRIDE: list[Proposal] | None = None
DATE = datetime.date(2026, 3, 5)


def detect(text, *, language="en", speakers=(), statements=()):
    if OVERRIDE is not None:
        return list(OVERRIDE)
    out = []
    for m in QUOTE.finditer(text):
        cue = source = speaker = statement = None
        which = "1" if m.group("cue1") else "2" if m.group("cue2") else ""
        if which:
            cue = Part(m.start(f"cue{which}"), m.end(f"cue{which}"), m.group(f"cue{which}"))
            name = m.group(f"n{which}")
            source = Part(m.start(f"n{which}"), m.end(f"n{which}"), name)
            known = next((s for s in speakers if name == s.name or name in s.aliases), None)
            speaker = SpeakerGuess(
                id=known.id if known else None,
                name=known.name if known else name,
                kind=known.kind if known else "person",
            )
            title = f"Remarks by {speaker.name}"
            said = next(
                (s for s in statements if known and s.speaker_id == known.id and s.title == title),
                None,
            )
            statement = StatementGuess(
                id=said.id if said else None,
                title=title,
                kind="interview",
                date=said.date if said else DATE,
                group=speaker.name,
            )
        out.append(
            Proposal(
                kind="direct_quote",
                start=m.start("quote"),
                end=m.end("quote"),
                quote=m.group("quote"),
                cue=cue,
                source_mention=source,
                speaker=speaker,
                statement=statement,
                confidence=0.9 if speaker else 0.4,
                check_worthiness=0.7 if any(c.isdigit() for c in m.group("quote")) else 0.2,
            )
        )
    return out
