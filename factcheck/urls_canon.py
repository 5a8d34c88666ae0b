"""An article's URL as its identity: one key for the same page under its many spellings.

``canonical_url_key(url)`` is the one canonicalisation. ``Article.url_key`` stores it (unique), so
the web import, the API, the admin and the annotation imports all find an article by it rather
than by the URL as typed. Two URLs with the same key are the same article:

- ``http`` and ``https`` (the key has no scheme);
- the host's case, a trailing dot, ``www.`` kept as is (it can be another site), IDNA applied;
- the default port (80, 443) dropped;
- a trailing slash on the path dropped ("/a/" is "/a", "" is "/");
- tracking parameters dropped (``utm_*``, ``fbclid``, ``gclid`` ... see ``TRACKING``), the others
  sorted (their order does not change the page);
- the ``#fragment`` dropped.
"""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

# Parameters that say where a reader came from, not which page they read.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt_mc",
        "s_cid",
        "at_medium",
        "at_campaign",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "spm",
        "sr_share",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


def canonical_url_key(url: str) -> str:
    """The identity of the page at ``url`` ("" for no URL): ``host[:port]/path[?query]``."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    with contextlib.suppress(UnicodeError):  # a name IDNA cannot encode is kept as given
        host = host.encode("idna").decode("ascii")
    host = host.lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    # One spelling of each character: decoded, then encoded the same way every time.
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=~-._").rstrip("/") or "/"
    params = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)
    )
    query = f"?{urlencode(params)}" if params else ""
    return f"{host}{path}{query}"
