"""Import speed: a doccano-shaped file of 1,000 documents × 50 spans (50,000 at scale 1),
imported into the database in DATABASE_URL by ``factcheck.imports.import_annotations``.

The file is generated (original text, ``bench.generate.TextMaker``) before the clock starts;
the import is timed in-process and the process's peak RSS is read afterwards, so the figure
includes Django itself. What the import made is deleted again (history rows too), so a kept
data set stays as it was. Prints one JSON line.

    python -m bench.imports --scale 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time

DOCUMENTS = 1000
SPANS = 50
KINDS = ("DIRECT_QUOTE", "INDIRECT_QUOTE", "MIXED_QUOTE", "AUTHOR_CLAIM")


def write_doccano(path: str, documents: int, spans_per_document: int, seed: int = 13) -> int:
    """A doccano JSONL export: one ``{"text", "label": [[start, end, LABEL], ...]}`` a line
    (offsets in UTF-16 code units, as doccano writes them)."""
    from bench.generate import TextMaker, spans
    from factcheck.text import Units

    rng = random.Random(seed)
    maker = TextMaker(rng)
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(documents):
            text = maker.text(spans_per_document * 110)
            found = spans(text, spans_per_document, rng)
            # Counted as doccano counts: UTF-16 code units.
            units = Units(text)
            labels = [
                [
                    units.from_codepoint(s, "utf16"),
                    units.from_codepoint(e, "utf16"),
                    rng.choice(KINDS),
                ]
                for s, e in found
            ]
            count += len(labels)
            f.write(json.dumps({"text": text, "label": labels}) + "\n")
    return count


def measure(documents: int, spans_per_document: int) -> dict:
    from django.db import connection

    from factcheck.imports import import_annotations

    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as f:
        path = f.name
    try:
        spans = write_doccano(path, documents, spans_per_document)
        size = os.path.getsize(path)
        began, cpu = time.perf_counter(), _cpu()
        with open(path, "rb") as source:
            result = import_annotations(source, fmt="doccano")
        seconds, cpu = time.perf_counter() - began, _cpu() - cpu
    finally:
        os.unlink(path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    forget(result)
    return {
        "available": True,
        "database": connection.vendor,
        "documents": documents,
        "spans": spans,
        "file_mb": round(size / 1e6, 1),
        "claims_created": result.claims_created,
        "seconds": round(seconds, 2),
        "spans_per_s": round(spans / seconds) if seconds else 0,
        # This process's CPU time: on a shared machine, what the wall time would be alone
        # (less the database server's own work on PostgreSQL).
        "cpu_seconds": round(cpu, 2),
        "spans_per_cpu_s": round(spans / cpu) if cpu else 0,
        "peak_rss_mb": round(peak_mb, 1),
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def forget(result) -> None:
    """Delete what the import made, with its history rows."""
    from django.db import transaction

    from factcheck.models import Article, Claim

    ids = result.created_claim_ids
    with transaction.atomic():
        articles = set()
        for i in range(0, len(ids), 5000):
            chunk = ids[i : i + 5000]
            articles.update(Claim.objects.filter(pk__in=chunk).values_list("article_id", flat=True))
            # No delete signals: they would leave a history row for each deletion.
            Claim.objects.filter(pk__in=chunk)._raw_delete(Claim.objects.db)
            Claim.history.filter(id__in=chunk)._raw_delete(Claim.objects.db)
        Article.objects.filter(pk__in=articles)._raw_delete(Article.objects.db)
        Article.history.filter(id__in=articles)._raw_delete(Article.objects.db)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000 documents")
    parser.add_argument("--spans", type=int, default=SPANS, help="spans per document")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps(measure(max(2, round(DOCUMENTS * args.scale)), args.spans)))


if __name__ == "__main__":
    main()
