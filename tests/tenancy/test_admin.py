"""The Django admin is scoped like every other page: network admins see their network only."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_network_admin_sees_only_their_networks_dealers(client, network_admin, dealer, other_dealer,
                                                        foreign_dealer):
    client.force_login(network_admin)
    page = client.get("/admin/tenancy/dealer/").content.decode()
    assert dealer.name in page and other_dealer.name in page
    assert foreign_dealer.name not in page
    assert client.get(f"/admin/tenancy/dealer/{foreign_dealer.pk}/change/").status_code == 302  # "doesn't exist"


def test_network_admin_cannot_open_another_networks_customer(client, network_admin, foreign_dealer, dealer):
    mine = factories.CustomerFactory(dealer=dealer, name="Cliente Propio")
    theirs = factories.CustomerFactory(dealer=foreign_dealer, name="Asiakas Muu")
    client.force_login(network_admin)
    listing = client.get("/admin/customers/customer/").content.decode()
    assert "Cliente Propio" in listing and "Asiakas Muu" not in listing
    assert client.get(f"/admin/customers/customer/{mine.pk}/change/").status_code == 200
    response = client.get(f"/admin/customers/customer/{theirs.pk}/change/", follow=True)
    assert "Asiakas Muu" not in response.content.decode()


def test_network_admin_only_sees_users_of_their_network_and_cannot_edit_accounts(
        client, network_admin, advisor, outsider):
    client.force_login(network_admin)
    page = client.get("/admin/accounts/user/").content.decode()
    assert advisor.email in page
    assert outsider.email not in page
    change = client.post(f"/admin/accounts/user/{advisor.pk}/change/", {"is_superuser": "on"})
    assert change.status_code == 403
    advisor.refresh_from_db()
    assert not advisor.is_superuser


def test_dealer_choices_in_the_admin_are_the_networks_own(client, network_admin, dealer, foreign_dealer):
    client.force_login(network_admin)
    page = client.get("/admin/customers/customer/add/").content.decode()
    assert f'value="{dealer.pk}"' in page
    assert f'value="{foreign_dealer.pk}"' not in page


def test_staff_without_a_network_admin_role_sees_no_models(client, hq):
    hq.is_staff = True
    hq.save()
    client.force_login(hq)
    assert client.get("/admin/tenancy/dealer/").status_code == 403


def test_superuser_sees_every_network(client, superuser, dealer, foreign_dealer):
    client.force_login(superuser)
    page = client.get("/admin/tenancy/dealer/").content.decode()
    assert dealer.name in page and foreign_dealer.name in page


def test_network_admin_grants_a_role_in_the_admin(client, network_admin, network, dealer, hq):
    from dealer_portal.tenancy.models import Membership
    from dealer_portal.tenancy.scoping import unscoped

    client.force_login(network_admin)
    response = client.post("/admin/tenancy/membership/add/", {
        "user": hq.pk, "network": network.pk, "role": "network_admin", "dealer": "", "region": "",
        "department": "", "is_active": "on"})
    assert response.status_code == 302
    hq.refresh_from_db()
    assert hq.is_staff
    bad = client.post("/admin/tenancy/membership/add/", {
        "user": hq.pk, "network": network.pk, "role": "service_advisor", "dealer": "", "region": "",
        "department": "", "is_active": "on"})
    assert bad.status_code == 200
    assert "This role works at one dealer: choose it." in bad.content.decode()
    with unscoped():
        assert not Membership.objects.filter(user=hq, role="service_advisor").exists()


def test_network_admin_edits_their_networks_promise_policy_only(client, network_admin, network, other_network):
    from servicejobs.models import PromisePolicy

    mine = PromisePolicy.objects.create(network=network)
    theirs = PromisePolicy.objects.create(network=other_network, greeting_tolerance_minutes=9)
    client.force_login(network_admin)
    assert client.get(f"/admin/servicejobs/promisepolicy/{theirs.pk}/change/").status_code == 302
    response = client.post(f"/admin/servicejobs/promisepolicy/{mine.pk}/change/", {
        "network": network.pk, "greeting_tolerance_minutes": 10, "ready_tolerance_minutes": 0,
        "repeat_repair_days": 21, "followup_first_day": 3, "followup_last_day": 5})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.greeting_tolerance_minutes, mine.repeat_repair_days) == (10, 21)
