"""Every route of the URLconf, for the tests that check each one has something: an access rule
(tests/test_access_matrix.py), a role of the browser walk that visits it
(tests/test_walk_coverage.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str | None  # with its namespace, e.g. "admin:index"; None for an unnamed route
    pattern: str
    namespace: str


def walk_urlconf(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):  # type: ignore[no-untyped-def]
    """Every route of the URLconf, recursively through includes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk_urlconf(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield Route(name=name, pattern=prefix + str(entry.pattern), namespace=namespace)
