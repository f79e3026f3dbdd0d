"""Base behaviour of every dealer and network page: login, the 404 tenancy check, roles, time zone."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .access import require_dealer, require_network


def _render_now(response):
    # Render inside the dealer's time zone, not after the decorator has left it.
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


def dealer_page(view=None, *, roles: tuple[str, ...] = ()):
    """A page about one dealer (``/n/<network>/d/<code>/...``): the view receives ``dealer``."""

    def decorator(view_func):
        @login_required
        @wraps(view_func)
        def wrapper(request, network_slug, dealer_code, *args, **kwargs):
            dealer = require_dealer(request)
            if roles and not request.tenancy.has_role(*roles):
                raise PermissionDenied
            with timezone.override(dealer.zone):
                return _render_now(view_func(request, dealer, *args, **kwargs))

        return wrapper

    return decorator(view) if view else decorator


def network_page(view=None, *, roles: tuple[str, ...] = ()):
    """A page about a whole network (``/n/<network>/...``) for HQ: the view receives ``network``."""

    def decorator(view_func):
        @login_required
        @wraps(view_func)
        def wrapper(request, network_slug, *args, **kwargs):
            network = require_network(request)
            if roles and not request.tenancy.has_role(*roles):
                raise PermissionDenied
            with timezone.override(network.time_zone):
                return _render_now(view_func(request, network, *args, **kwargs))

        return wrapper

    return decorator(view) if view else decorator
