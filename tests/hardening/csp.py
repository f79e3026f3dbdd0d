"""The policy every answer must carry, written out here so that loosening the setting fails the tests."""

STRICT_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "connect-src": {"'self'"},
}


def policy_of(response) -> dict[str, set[str]]:
    """The Content-Security-Policy header as {directive: sources} (empty when the header is missing)."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (piece.strip() for piece in header.split(";"))):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def permissions_of(response) -> dict[str, str]:
    """The Permissions-Policy header as {feature: allow list as written}."""
    header = response.headers.get("Permissions-Policy", "")
    return dict(item.strip().split("=", 1) for item in header.split(",") if item.strip())
