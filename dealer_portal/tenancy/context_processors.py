from django.urls import reverse
from django.utils.translation import gettext as _

from .models import NETWORK_ROLES, REGION_ROLES, Dealer, Role
from .scoping import tenant_scope

SWITCHER_LIMIT = 200


def _link(label, url, testid=""):
    return {"label": label, "url": url, "testid": testid}


def _menu(label, links, testid=""):
    return {"label": label, "children": links, "testid": testid}


def _nav(request, dealer, network):
    """The header's links (``url``) and menus (``children``), by where the user is and what they may do."""
    items = [_link(_("Home"), reverse("home"))]
    hq_network = network or (dealer.network if dealer else None)
    sees_network = hq_network is not None and request.tenancy.sees_network(hq_network)
    if dealer is not None:
        place = [dealer.network.slug, dealer.code]
        items.append(_link(_("Today's board"), reverse("job_board", args=place)))
        items.append(_link(_("Complaints"), reverse("complaint_queue", args=place)))
        items.append(_link(_("Calls"), reverse("followup_list", args=place)))
        items.append(_link(_("Promises"), reverse("promise_dashboard", args=place)))
        items.append(_link(_("Handovers"), reverse("handover_list", args=place)))
        quality = [_link(_("Scorecard"), reverse("scoring_scorecard", args=place), "nav-scorecard"),
                   _link(_("Assessments"), reverse("scoring_dealer_assessments", args=place), "nav-dealer-assessments")]
        if not sees_network:  # dealer staff see the network ranking from their dealer
            quality.insert(1, _link(_("Network ranking"), reverse("scoring_dealer_ranking", args=place), "nav-ranking"))
        items.append(_menu(_("5-Star"), quality, "nav-5-star"))
    if sees_network:
        slug = [hq_network.slug]
        menu = [_link(_("Overview"), reverse("network_home", args=slug)),
                _link(_("Complaints"), reverse("network_complaints", args=slug)),
                _link(_("Ranking"), reverse("scoring_ranking", args=slug), "nav-ranking"),
                _link(_("Quarterly top achievers"), reverse("scoring_quarterly", args=slug)),
                _link(_("Assessments"), reverse("scoring_assessments", args=slug), "nav-assessments")]
        if request.tenancy.has_role(*NETWORK_ROLES):
            menu.append(_link(_("Checklists"), reverse("scoring_checklists", args=slug), "nav-checklists"))
            menu.append(_link(_("Scoring settings"), reverse("scoring_settings", args=slug), "nav-scoring-settings"))
        if request.tenancy.is_network_admin(hq_network):
            menu.append(_link(_("Invitations"), reverse("invitation_list", args=slug)))
        items.append(_menu(_("Network"), menu, "nav-network"))
    if request.user.is_staff:
        items.append(_link(_("Administration"), reverse("admin:index")))
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
        "nav_items": _nav(request, dealer, network),
    }
