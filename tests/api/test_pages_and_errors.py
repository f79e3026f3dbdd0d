"""Every list is paged and filtered by dealer alike, and every operation documents its errors in the one shape
it answers them in."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["", "abc", "0", "-1", "1.5", "٣"])
def test_a_page_that_is_no_whole_number_from_one_is_a_400_on_page(api_as, advisor, page):
    refused = api_as(advisor).get(reverse("customer-list"), {"page": page})
    assert (refused.status_code, refused.json()) == (
        400, {"detail": "Invalid input.", "errors": {"page": ["Give a page number: a whole number from 1."]}})


def test_a_page_past_the_last_is_a_404_and_the_first_is_there(api_as, advisor, dealer):
    factories.CustomerFactory(dealer=dealer)
    api = api_as(advisor)
    assert api.get(reverse("customer-list"), {"page": "1"}).json()["count"] == 1
    assert api.get(reverse("customer-list"), {"page": "2"}).status_code == 404


def test_every_operation_documents_its_errors_in_the_error_shape():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    error = {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "errors"}
    missing = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            wanted = {"401", "403"}
            if method in ("post", "put", "patch") or any(p["in"] == "query" for p in operation.get("parameters", [])):
                wanted.add("400")
            if "{" in path:
                wanted.add("404")
            documented = {status for status, response in operation["responses"].items()
                          if response.get("content", {}).get("application/json", {}).get("schema") == error}
            if wanted - documented:
                missing[f"{method.upper()} {path}"] = sorted(wanted - documented)
    assert missing == {}


@pytest.mark.parametrize("given", ["-1", "1.0", "²", "three"])
def test_a_dealer_filter_that_is_no_id_is_a_400_on_dealer(api_as, advisor, given):
    refused = api_as(advisor).get(reverse("customer-list"), {"dealer": given})
    assert (refused.status_code, list(refused.json()["errors"])) == (400, ["dealer"])
