"""``{% claimreview_jsonld claim verdict %}``: the ClaimReview markup of a public page."""

from __future__ import annotations

import json

from django import template
from django.utils.safestring import mark_safe

from factcheck.exports import base_url_of, claim_row, rating_scale
from factcheck.exports.claimreview import claim_review

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
    review = claim_review(row, base_url=base_url_of(context.get("request")), scale=rating_scale())
    return mark_safe(  # noqa: S308 - every <, > and & inside is escaped by script_json
        f'<script type="application/ld+json">{script_json(review)}</script>'
    )
