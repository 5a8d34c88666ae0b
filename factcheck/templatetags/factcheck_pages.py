"""Template helpers for the HTML pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, page: int) -> str:
    """The current URL's query string with ``page`` replaced (for pagination links)."""
    query = context["request"].GET.copy()
    query["page"] = page
    return "?" + query.urlencode()
