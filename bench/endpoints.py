"""What the benchmark requests, as whom, and what the issue asks of it.

Paths are resolved against the running URLconf before use; one that does not resolve
(a page not built yet) is reported as "not available" instead of crashing the run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    key: str
    title: str
    path: str  # may hold {big_article}, {small_article}, {speaker}, {claim}
    user: str | None  # a persona key of bench.generate.ensure_users, or None (anonymous)
    auth: str = "session"  # "session" (cookie) or "token" (Authorization: Token)
    method: str = "GET"
    load: bool = True  # measured under load (wrk); else only its queries are counted
    export: bool = False  # a streamed export: measured as claims/s and peak RSS
    min_ratio: float | None = None  # target: throughput as a share of the ceiling
    max_p99_ms: float | None = None  # target: 99th percentile latency
    max_queries: int | None = None  # target: SQL queries per request

    def url_path(self, ids: dict) -> str:
        return self.path.format(**ids)


CEILING = Endpoint("ceiling", "Ceiling: bare Django JSON view", "/bench/ceiling/", None)

ENDPOINTS = [
    CEILING,
    Endpoint(
        "claims_api",
        "Claims list API (page of 50)",
        "/api/v1/claims/",
        "moderator",
        auth="token",
        min_ratio=0.15,
    ),
    Endpoint(
        "claims_api_status",
        "Claims list API, ?status=published",
        "/api/v1/claims/?status=published",
        "moderator",
        auth="token",
    ),
    Endpoint(
        "claims_api_speaker",
        "Claims list API, ?speaker=",
        "/api/v1/claims/?speaker={speaker}",
        "moderator",
        auth="token",
    ),
    Endpoint(
        "claims_api_public",
        "Claims list API, anonymous (published only)",
        "/api/v1/claims/",
        None,
    ),
    Endpoint(
        "articles_api",
        "Articles list API (page of 50)",
        "/api/v1/articles/",
        "moderator",
        auth="token",
        min_ratio=0.03,
    ),
    Endpoint(
        "claim_create_api",
        "Claim create API (8 clients)",
        "/api/v1/claims/",
        "annotator",
        auth="token",
        method="POST",
        max_p99_ms=50,
    ),
    Endpoint(
        "article_page",
        "Article page, 1,000 highlights on 100,000 chars",
        "/articles/{big_article}/",
        "annotator",
        min_ratio=0.05,
        max_queries=10,
    ),
    Endpoint("review_queue", "Review queue", "/review/", "reviewer"),
    Endpoint("admin_claims", "Admin claim list", "/admin/factcheck/claim/", "moderator"),
    # Counted, not loaded: the other pages a desk member opens all day.
    Endpoint(
        "article_page_small",
        "Article page, 100 highlights",
        "/articles/{small_article}/",
        "annotator",
        load=False,
    ),
    Endpoint("article_list", "Article list page", "/articles/", "annotator", load=False),
    Endpoint("claim_page", "Claim page", "/claims/{claim}/", "reviewer", load=False),
    Endpoint("speaker_list", "Speaker list page", "/speakers/", "annotator", load=False),
    Endpoint("speaker_page", "Speaker page", "/speakers/{speaker}/", "annotator", load=False),
    Endpoint("statement_list", "Statement list page", "/statements/", "annotator", load=False),
    Endpoint(
        "admin_verdicts", "Admin verdict list", "/admin/factcheck/verdict/", "moderator", load=False
    ),
    Endpoint(
        "export_w3c",
        "W3C Web Annotation export (all claims)",
        "/api/v1/export/annotations/?page_size=all",
        "moderator",
        auth="token",
        load=False,
        export=True,
    ),
    Endpoint(
        "export_jsonl",
        "JSONL export (all claims)",
        "/api/v1/export/claims.jsonl",
        "moderator",
        auth="token",
        load=False,
        export=True,
    ),
    Endpoint(
        "export_claimreview",
        "ClaimReview export (published)",
        "/api/v1/export/claimreview/",
        None,
        load=False,
        export=True,
    ),
    Endpoint(
        "export_csv",
        "CSV export (all claims)",
        "/api/v1/export/claims.csv",
        "moderator",
        auth="token",
        load=False,
        export=True,
    ),
]

BY_KEY = {e.key: e for e in ENDPOINTS}


def available(path: str) -> bool:
    """Whether ``path`` resolves to a view in the current URLconf."""
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


def claim_body(article_id: int, start: int, end: int) -> dict:
    """The JSON a client sends to create a claim through the API."""
    return {
        "article": article_id,
        "start": start,
        "end": end,
        "kind": "direct_quote",
        "speaker_name": "Ingrid Solberg",
        "statement_title": "Benchmark interview",
        "summary": "A claim made by the benchmark.",
    }
