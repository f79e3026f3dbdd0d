"""Who may export or erase a customer's data: the dealer's managers and the network's admins."""

from dealer_portal.tenancy.models import Role

DATA_RIGHTS_ROLES = (Role.DEALER_MANAGER, Role.NETWORK_ADMIN)


def may_manage_customer_data(request) -> bool:
    """For the dealer the request is about (superusers too, as everywhere)."""
    return request.tenancy.has_role(*DATA_RIGHTS_ROLES)
