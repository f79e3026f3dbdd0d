from functools import cache

from . import selectors


def pending_invitations(request):
    """``pending_invitation_count`` for the header: counted only when a page shows it, once per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"pending_invitation_count": cache(lambda: selectors.invitation_pending_count(user=user))}
