"""Small readers of rendered HTML shared by page tests."""

from __future__ import annotations

import re

_LINKED = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def cdn_links(page: str) -> list[str]:
    """The `src` / `href` values of a page that point to a CDN. Only attributes are read: a
    random CSRF token or text that happens to contain « cdn » is not a link (a test once failed
    on the token …bbcdnzio5…)."""
    return [url for url in _LINKED.findall(page) if "cdn" in url.lower()]
