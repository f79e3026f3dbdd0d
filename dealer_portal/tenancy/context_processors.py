from django.urls import reverse
from django.utils.translation import gettext as _

from .models import NETWORK_ROLES, REGION_ROLES, Dealer, Role
from .scoping import tenant_scope

SWITCHER_LIMIT = 200


def _nav(request, dealer, network, roles):
    items = [(_("Home"), reverse("home"))]
    if dealer is not None:
        place = [dealer.network.slug, dealer.code]
        items.append((_("Today's board"), reverse("job_board", args=place)))
        items.append((_("Complaints"), reverse("complaint_queue", args=place)))
        items.append((_("Calls"), reverse("followup_list", args=place)))
        items.append((_("Promises"), reverse("promise_dashboard", args=place)))
        items.append((_("Handovers"), reverse("handover_list", args=place)))
    hq_network = network or (dealer.network if dealer else None)
    if hq_network is not None and request.tenancy.sees_network(hq_network):
        items.append((_("Network overview"), reverse("network_home", args=[hq_network.slug])))
        items.append((_("Network complaints"), reverse("network_complaints", args=[hq_network.slug])))
        if request.tenancy.is_network_admin(hq_network):
            items.append((_("Invitations"), reverse("invitation_list", args=[hq_network.slug])))
    if request.user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    items.append((_("API"), reverse("api-docs")))
    return items


def tenancy(request):
    tenancy_state = getattr(request, "tenancy", None)
    if tenancy_state is None or not request.user.is_authenticated:
        return {}
    dealer = tenancy_state.dealer
    network = tenancy_state.network
    # The switcher lists every dealer the user may see, whatever page they are on.
    with tenant_scope(tenancy_state.user_scope):
        switcher = list(
            Dealer.objects.filter(is_active=True)
            .select_related("network")
            .only("code", "name", "network__slug", "network__name")
            .order_by("network__name", "name")[: SWITCHER_LIMIT + 1]
        )
    roles = tenancy_state.roles_here()
    return {
        "current_dealer": dealer,
        "current_network": network,
        "switcher_dealers": switcher[:SWITCHER_LIMIT],
        "switcher_truncated": len(switcher) > SWITCHER_LIMIT,
        "roles_here": roles,
        "role_labels": sorted(Role(r).label for r in roles),
        "is_hq_here": bool(roles & (NETWORK_ROLES | REGION_ROLES)),
        "nav_items": _nav(request, dealer, network, roles),
    }
