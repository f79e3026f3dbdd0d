"""Who lands where, and who may open which dealer and network pages."""

import pytest
from django.urls import reverse

from tests import factories
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db


def dealer_url(dealer, name="dealer_home", *args):
    return reverse(name, args=[dealer.network.slug, dealer.code, *args])


def test_anonymous_visitor_is_sent_to_the_login_page(client, dealer):
    response = client.get(dealer_url(dealer))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_advisor_lands_on_their_dealers_board(client, advisor, dealer):
    client.force_login(advisor)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == dealer_url(dealer)
    page = response.content.decode()
    assert 'data-testid="advisor-board"' in page
    assert 'data-testid="representative-queue"' not in page


def test_representative_sees_the_queue_not_the_board(client, representative, dealer):
    client.force_login(representative)
    page = client.get(dealer_url(dealer)).content.decode()
    assert 'data-testid="representative-queue"' in page
    assert 'data-testid="advisor-board"' not in page


def test_hq_lands_on_the_network_overview_with_dealers_by_region(client, hq, network, dealer, other_dealer,
                                                                  foreign_dealer):
    client.force_login(hq)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("network_home", args=[network.slug])
    page = response.content.decode()
    assert dealer.name in page and other_dealer.name in page
    assert foreign_dealer.name not in page
    assert page.index("Norte") < page.index("Sureste")


def test_regional_manager_sees_only_their_regions_dealers(client, regional_manager, network, dealer,
                                                           other_dealer):
    client.force_login(regional_manager)
    page = client.get(reverse("network_home", args=[network.slug])).content.decode()
    assert dealer.name in page
    assert other_dealer.name not in page
    assert client.get(dealer_url(dealer)).status_code == 200
    assert client.get(dealer_url(other_dealer)).status_code == 404


def test_dealer_staff_cannot_open_the_network_overview(client, advisor, network):
    client.force_login(advisor)
    assert client.get(reverse("network_home", args=[network.slug])).status_code == 404


def test_a_dealer_the_user_has_no_membership_at_is_not_found(advisor, other_dealer, foreign_dealer, network,
                                                             other_network):
    assert_not_found_for(advisor, web=[dealer_url(other_dealer), dealer_url(foreign_dealer),
                                       reverse("network_home", args=[other_network.slug])])


def test_same_dealer_code_in_two_networks_resolves_by_network(client, hq, dealer, foreign_dealer):
    assert dealer.code == foreign_dealer.code
    client.force_login(hq)
    assert dealer.name in client.get(dealer_url(dealer)).content.decode()
    assert client.get(dealer_url(foreign_dealer)).status_code == 404


def test_representative_covering_two_outlets_switches_between_them(client, representative, dealer, other_dealer):
    factories.MembershipFactory(user=representative, dealer=other_dealer, role="customer_representative")
    client.force_login(representative)
    chooser = client.get(reverse("home"))
    assert chooser.status_code == 200
    page = client.get(dealer_url(dealer)).content.decode()
    assert 'data-testid="dealer-switcher"' in page
    assert dealer_url(other_dealer) in page
    assert client.get(dealer_url(other_dealer)).status_code == 200


def test_switcher_lists_only_dealers_the_user_may_see(client, representative, dealer, other_dealer,
                                                      foreign_dealer):
    factories.MembershipFactory(user=representative, dealer=other_dealer, role="customer_representative")
    client.force_login(representative)
    page = client.get(dealer_url(dealer)).content.decode()
    assert dealer_url(foreign_dealer) not in page


def test_dealer_page_shows_time_in_the_dealers_zone(client, advisor, dealer, settings):
    from datetime import UTC, datetime
    from unittest import mock

    client.force_login(advisor)
    fixed = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 09:30 in Monterrey (UTC-6)
    with mock.patch("django.utils.timezone.now", return_value=fixed):
        page = client.get(dealer_url(dealer)).content.decode()
    assert "Monday 2 March 2026, 09:30" in page


def test_inactive_membership_gives_no_access(client, advisor, dealer):
    from dealer_portal.tenancy.models import Membership
    from dealer_portal.tenancy.scoping import unscoped

    with unscoped():
        Membership.objects.filter(user=advisor).update(is_active=False)
    client.force_login(advisor)
    assert client.get(dealer_url(dealer)).status_code == 404


def test_language_picker_switches_the_interface_language(client, advisor, dealer):
    client.force_login(advisor)
    response = client.post(reverse("set_language"), {"language": "es", "next": dealer_url(dealer)})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "es"
    page = client.get(dealer_url(dealer)).content.decode()
    assert '<html lang="es">' in page


def test_navigation_shows_each_role_only_what_it_can_use(client, advisor, network_admin, network, dealer):
    client.force_login(advisor)
    page = client.get(dealer_url(dealer)).content.decode()
    assert reverse("invitation_list", args=[network.slug]) not in page
    assert f'href="{reverse("network_home", args=[network.slug])}"' not in page
    client.force_login(network_admin)
    page = client.get(reverse("network_home", args=[network.slug])).content.decode()
    assert reverse("invitation_list", args=[network.slug]) in page
    assert reverse("admin:index") in page


def test_network_overview_runs_a_fixed_number_of_queries(client, hq, network, region,
                                                         django_assert_max_num_queries):
    for number in range(40):
        factories.DealerFactory(region=region, code=f"X-{number:03d}")
    client.force_login(hq)
    client.get(reverse("network_home", args=[network.slug]))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("network_home", args=[network.slug]))
    assert response.content.decode().count("/d/X-") >= 40
