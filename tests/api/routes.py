"""The project's routes read from the URL configuration, so a route added later is tested without a list to update."""

from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns=None, prefix="", inherited=frozenset()):
    """(route, pattern, names of every URL parameter on the way) for each route under ``patterns``."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        names = inherited | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), names)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, names
