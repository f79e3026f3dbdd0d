"""The API's tenancy: /me, /dealers, dealer-scoped resources, authentication and error bodies."""

import pytest
from django.urls import reverse

from tests import factories
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db


def test_api_without_authentication_is_401_with_a_message(api_client):
    response = api_client.get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json()["detail"] == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == "Token"


def test_api_with_a_wrong_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_me_lists_the_users_memberships_and_active_dealer(api_as, representative, dealer, other_dealer):
    response = api_as(representative).get(reverse("api-me"))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "rep@example.com"
    assert [(m["role"], m["dealer"]) for m in body["memberships"]] == [("customer_representative", dealer.pk)]
    assert body["active_dealer"]["code"] == dealer.code


def test_me_with_several_dealers_picks_the_one_asked_for(api_as, representative, dealer, other_dealer,
                                                         foreign_dealer):
    factories.MembershipFactory(user=representative, dealer=other_dealer, role="customer_representative")
    client = api_as(representative)
    assert client.get(reverse("api-me")).json()["active_dealer"] is None
    assert client.get(reverse("api-me"), {"dealer": other_dealer.pk}).json()["active_dealer"]["id"] == other_dealer.pk
    assert client.get(reverse("api-me"), {"dealer": foreign_dealer.pk}).json()["active_dealer"] is None
    bad = client.get(reverse("api-me"), {"dealer": "abc"})
    assert bad.status_code == 400
    assert bad.json()["errors"]["dealer"] == ["Give a dealer id (a whole number)."]


def test_session_login_works_for_the_api_too(client, advisor):
    client.force_login(advisor)
    assert client.get(reverse("api-me")).json()["email"] == advisor.email


@pytest.mark.parametrize(("person", "expected"), [
    ("advisor", {"NTE-001"}),
    ("regional_manager", {"NTE-001"}),
    ("hq", {"NTE-001", "SUR-001"}),
    ("outsider", {"NTE-001@borealis"}),
])
def test_dealers_endpoint_lists_only_visible_dealers(request, api_as, person, expected, dealer, other_dealer,
                                                     foreign_dealer):
    user = request.getfixturevalue(person)
    results = api_as(user).get(reverse("dealer-list")).json()["results"]
    assert {r["code"] if r["network"] == "aurora" else f"{r['code']}@{r['network']}" for r in results} == expected


def test_dealers_endpoint_rejects_a_bad_filter(api_as, hq, dealer):
    response = api_as(hq).get(reverse("dealer-list"), {"active": "maybe"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid input.", "errors": {"active": ["Use true or false."]}}


def test_another_networks_dealer_is_404_through_the_api(advisor, hq, foreign_dealer, other_dealer):
    assert_not_found_for(hq, api=[reverse("dealer-detail", args=[foreign_dealer.pk])])
    assert_not_found_for(advisor, api=[reverse("dealer-detail", args=[other_dealer.pk])])


def test_customers_api_lists_only_the_callers_dealers(api_as, advisor, hq, dealer, other_dealer, foreign_dealer):
    factories.CustomerFactory(dealer=dealer, name="Lucía Torres")
    factories.CustomerFactory(dealer=other_dealer, name="Mérida customer")
    factories.CustomerFactory(dealer=foreign_dealer, name="Foreign")
    response = api_as(advisor).get(reverse("customer-list"))
    assert [c["name"] for c in response.json()["results"]] == ["Lucía Torres"]
    hq_names = [c["name"] for c in api_as(hq).get(reverse("customer-list")).json()["results"]]
    assert sorted(hq_names) == ["Lucía Torres", "Mérida customer"]
    narrowed = api_as(hq).get(reverse("customer-list"), {"dealer": other_dealer.pk}).json()["results"]
    assert [c["name"] for c in narrowed] == ["Mérida customer"]


def test_another_dealers_customer_is_404(advisor, dealer, other_dealer, foreign_dealer):
    theirs = factories.CustomerFactory(dealer=other_dealer)
    foreign = factories.CustomerFactory(dealer=foreign_dealer)
    assert_not_found_for(advisor, api=[reverse("customer-detail", args=[theirs.pk]),
                                       reverse("customer-detail", args=[foreign.pk])])


def test_a_customer_cannot_be_created_at_another_dealer(api_as, advisor, other_dealer, foreign_dealer):
    for dealer in (other_dealer, foreign_dealer):
        response = api_as(advisor).post(reverse("customer-list"), {"name": "X", "dealer": dealer.pk}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"]["dealer"] == [f'Invalid pk "{dealer.pk}" - object does not exist.']


def test_someone_at_two_dealers_must_say_which(api_as, representative, dealer, other_dealer):
    factories.MembershipFactory(user=representative, dealer=other_dealer, role="customer_representative")
    response = api_as(representative).post(reverse("customer-list"), {"name": "X"}, format="json")
    assert response.status_code == 400
    assert "several dealers" in response.json()["errors"]["dealer"][0]


def test_creating_a_customer_defaults_to_the_callers_only_dealer(api_as, advisor, dealer):
    response = api_as(advisor).post(reverse("customer-list"),
                                    {"name": "Paola Ruiz", "phone": "+52 81 5555 1234"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == "+528155551234"
    from customers.models import Customer
    from dealer_portal.tenancy.scoping import unscoped

    with unscoped():
        assert Customer.objects.get(pk=response.json()["id"]).dealer == dealer


def test_bad_input_gets_field_errors_not_a_500(api_as, advisor, dealer):
    response = api_as(advisor).post(reverse("customer-list"), {"name": "", "phone": "0811234"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["name"] == ["This field may not be blank."]
    assert "international format" in errors["phone"][0]


def test_a_vehicle_cannot_point_at_another_dealers_customer(api_as, advisor, dealer, other_dealer):
    theirs = factories.CustomerFactory(dealer=other_dealer)
    response = api_as(advisor).post(reverse("vehicle-list"),
                                    {"customer": theirs.pk, "vin": "3AUXY2K70PN000001"}, format="json")
    assert response.status_code == 400
    missing = api_as(advisor).post(reverse("vehicle-list"),
                                   {"customer": 999999, "vin": "3AUXY2K70PN000001"}, format="json")
    # Refused exactly like an id that does not exist: nothing reveals that the row is elsewhere.
    assert response.json()["errors"]["customer"] == [
        missing.json()["errors"]["customer"][0].replace("999999", str(theirs.pk))]


def test_vin_is_validated_and_unique_per_dealer_only(api_as, advisor, dealer, foreign_dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    factories.VehicleFactory(customer=factories.CustomerFactory(dealer=foreign_dealer), vin="3AUXY2K70PN000777")
    client = api_as(advisor)
    url = reverse("vehicle-list")
    bad = client.post(url, {"customer": customer.pk, "vin": "3AUXY2K70PN00O777"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["vin"] == ["A VIN never contains the letters I, O or Q."]
    ok = client.post(url, {"customer": customer.pk, "vin": "3auxy2k70pn000777"}, format="json")
    assert ok.status_code == 201, ok.json()
    again = client.post(url, {"customer": customer.pk, "vin": "3AUXY2K70PN000777"}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"]["vin"] == ["A vehicle with this VIN is already registered at this dealer."]


def test_schema_and_docs_are_served_without_a_cdn(client, advisor):
    client.force_login(advisor)  # both need a login (tests/hardening/test_api_docs_and_health.py)
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    for path in (b"/api/v1/customers/", b"/api/v1/vehicles/", b"/api/v1/jobs/", b"/api/v1/handovers/"):
        assert path in schema.content
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs


def test_the_openapi_schema_builds_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/complaints/{id}/actions/{action_name}/:", "/api/v1/jobs/{id}/steps/{step}/:"):
        assert path in schema
