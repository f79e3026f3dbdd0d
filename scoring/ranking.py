"""Old import path, kept only for demo/scoring.py: publishing is in ``scoring.services``, a network's clock in
``dealer_portal.tenancy.calendar`` (``zone_of(network)``).

Remove this module once demo/scoring.py imports them from there.
"""

from dealer_portal.tenancy.calendar import zone_of as network_zone

from .services import ranking_publish

__all__ = ["network_zone", "ranking_publish"]
