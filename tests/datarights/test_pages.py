"""The customer page's data-rights actions: for the dealer's managers and the network's admins only, a 404 for
another dealer's customer, and an erasure only after its confirm step."""

import pytest
from django.urls import reverse

from customers.models import Customer
from datarights.models import DataRightsAction
from dealer_portal.tenancy.models import Department, Role
from tests import factories
from tests.cross_tenant import assert_not_found_for

from .conftest import NAME

pytestmark = pytest.mark.django_db


def url(dealer, name, customer):
    return reverse(name, args=[dealer.network.slug, dealer.code, customer.pk])


def data_urls(dealer, customer):
    return [url(dealer, name, customer) for name in
            ("customer_data_export_json", "customer_data_export_html", "customer_data_erase")]


def test_managers_and_network_admins_see_the_actions_on_the_customer_page(client, manager, network_admin, advisor,
                                                                         dealer, everything):
    for user, shown in ((manager, True), (network_admin, True), (advisor, False)):
        client.force_login(user)
        page = client.get(url(dealer, "customer_detail", everything.customer)).content.decode()
        assert ('data-testid="customer-data-rights"' in page) is shown, user
        assert (url(dealer, "customer_data_erase", everything.customer) in page) is shown


@pytest.mark.parametrize("role", ["advisor", "representative", "hq"])
def test_other_roles_may_neither_export_nor_erase(client, request, dealer, everything, role):
    client.force_login(request.getfixturevalue(role))
    for address in data_urls(dealer, everything.customer):
        assert client.get(address).status_code == 403
    assert client.post(url(dealer, "customer_data_erase", everything.customer),
                       {"reason": "x", "confirm_name": NAME}).status_code == 403
    assert Customer.objects.get(pk=everything.customer.pk).name == NAME


def test_anonymous_visitors_are_sent_to_log_in(client, dealer, everything):
    for address in data_urls(dealer, everything.customer):
        assert client.get(address).status_code == 302


def test_another_dealers_customer_is_not_found(dealer, other_dealer, everything, outsider):
    other_manager = factories.UserFactory(email="other-manager@example.com")
    factories.MembershipFactory(user=other_manager, dealer=other_dealer, role=Role.DEALER_MANAGER,
                                department=Department.SERVICE)
    # Their own dealer's address with this dealer's customer, and this dealer's address.
    assert_not_found_for(other_manager, web=[*data_urls(other_dealer, everything.customer),
                                             *data_urls(dealer, everything.customer)])
    assert_not_found_for(outsider, web=data_urls(dealer, everything.customer))
    assert Customer.objects.get(pk=everything.customer.pk).name == NAME
    assert not DataRightsAction.objects.exists()


def test_the_erasure_needs_a_reason_and_the_name_typed_again(client, manager, dealer, everything):
    client.force_login(manager)
    address = url(dealer, "customer_data_erase", everything.customer)
    assert client.get(address).status_code == 200
    refused = client.post(address, {"reason": "  ", "confirm_name": "Valentina"})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Say why the customer&#x27;s data is erased." in page
    assert "This is not the customer&#x27;s name as recorded." in page
    assert Customer.objects.get(pk=everything.customer.pk).name == NAME


def test_a_manager_erases_a_customer_after_confirming(client, manager, dealer, everything):
    client.force_login(manager)
    address = url(dealer, "customer_data_erase", everything.customer)
    response = client.post(address, {"reason": "Asked in writing", "confirm_name": " valentina  quiroga esparza"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "The customer&#x27;s personal data was erased; their records stay, anonymous." in page
    assert 'data-testid="customer-erased"' in page and "Asked in writing" in page
    assert NAME not in page
    # Once erased, the page says so and a second post changes nothing.
    assert 'data-testid="already-erased"' in client.get(address).content.decode()
    assert client.post(address, {"reason": "again", "confirm_name": f"#{everything.customer.pk}"}).status_code == 302
    assert DataRightsAction.objects.filter(kind="erase").count() == 1


@pytest.mark.postgres
def test_the_erasure_is_itself_in_the_networks_audit_trail(client, manager, network_admin, dealer, network,
                                                           everything):
    client.force_login(manager)
    client.post(url(dealer, "customer_data_erase", everything.customer),
                {"reason": "Asked in writing", "confirm_name": NAME})
    client.force_login(network_admin)
    trail = client.get(reverse("audit_trail_export", args=[network.slug]),
                       {"record_type": "datarights.datarightsaction"})
    lines = trail.content.decode()
    assert trail.status_code == 200
    assert "manager@example.com" in lines and "Asked in writing" in lines and NAME not in lines
