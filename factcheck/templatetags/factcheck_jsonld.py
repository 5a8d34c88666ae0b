"""``{% claimreview_jsonld claim verdict %}``: the ClaimReview markup of a public page."""

from __future__ import annotations

import json

from django import template
from django.utils.safestring import mark_safe

from factcheck.exports import base_url_of, claim_row, claim_rows, rating_scale
from factcheck.exports.claimreview import CONTEXT, claim_review, same_claims, speaker_thing
from factcheck.models import Claim

register = template.Library()

# Inside <script> only these could end the element or confuse an HTML parser.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
_ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def script_json(data) -> str:
    """``data`` as JSON that is safe to put between <script> tags."""
    return json.dumps(data, ensure_ascii=False).translate(_ESCAPES)


@register.simple_tag(takes_context=True)
def claimreview_jsonld(context, claim, verdict):
    if claim is None or verdict is None:
        return ""
    row = claim_row(claim)
    if row["approved_verdict"] is None or row["approved_verdict"]["id"] != verdict.pk:
        return ""  # only an approved verdict is a published review
    review = claim_review(
        row,
        base_url=base_url_of(context.get("request")),
        scale=rating_scale(),
        also=same_claims([row]).get(row["id"], []),
    )
    return mark_safe(  # noqa: S308 - every <, > and & inside is escaped by script_json
        f'<script type="application/ld+json">{script_json(review)}</script>'
    )


@register.simple_tag(takes_context=True)
def claimreviews_jsonld(context, claims, speaker=None):
    """The ClaimReviews of a page of public fact-checks in one ``@graph``, after the speaker's
    Person or Organization on a speaker's page."""
    base_url, scale = base_url_of(context.get("request")), rating_scale()
    graph = []
    if speaker is not None:
        graph.append(speaker_thing(speaker.kind, speaker.name, speaker.wikidata_id))
    rows = list(claim_rows(Claim.objects.published().filter(pk__in=[c.pk for c in claims])))
    others = same_claims(rows)
    for row in rows:
        review = claim_review(row, base_url=base_url, scale=scale, also=others.get(row["id"], []))
        if review is not None:
            del review["@context"]
            graph.append(review)
    if not graph:
        return ""
    data = {"@context": CONTEXT, "@graph": graph}
    return mark_safe(  # noqa: S308 - every <, > and & inside is escaped by script_json
        f'<script type="application/ld+json">{script_json(data)}</script>'
    )
