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


@register.filter
def as_shown(value) -> str:
    """A stored value as a person reads it: nothing as "—", a time in the site's zone to the
    second (the history's changes otherwise show "None" and microseconds)."""
    import datetime

    from django.utils import timezone
    from django.utils.dateparse import parse_datetime
    from django.utils.formats import date_format

    if value is None or value in ("", "None"):  # the history's changes come as strings
        return "—"
    if isinstance(value, str) and value.endswith("(pk=None)"):  # an empty foreign key
        return "—"
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == " ":
        value = parse_datetime(value) or value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "Y-m-d H:i:s")
    if isinstance(value, datetime.date):
        return date_format(value, "Y-m-d")
    return value


@register.simple_tag
def export_formats() -> list[tuple[str, str]]:
    """(format, label) of each export the export menu offers (``views.EXPORT_FORMATS``)."""
    from factcheck.views import EXPORT_FORMATS

    return [(fmt, f.label) for fmt, f in EXPORT_FORMATS.items()]
