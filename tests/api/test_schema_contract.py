"""The schema is the contract: schemathesis fuzzes every operation of /api/schema/ and the API keeps to it.

Two callers, each with a DRF token: a service advisor at one dealer and HQ of the network, over a small demo
network (two outlets, two months of jobs, complaints, calls, assessments and rankings). For each caller every
operation gets its documented examples, the coverage cases (every boundary and every wrong type the schema
implies) and a bounded number of fuzzed cases; then the stateful run follows the links the schema declares
(a created row read, changed and acted on). Any 5xx, any response that breaks its schema, any status or
content type the schema does not document, invalid input accepted or valid input refused fails the test.

Everything runs in-process through the WSGI application, inside the test's transaction; each stateless case
runs in a savepoint that is rolled back, so every case sees the same rows and a run is reproducible (fixed
seed, derandomized). The figures (operations fuzzed, cases generated, failures) are printed at the end of
every test session that ran this module (``pytest_terminal_summary`` in this folder's conftest).
"""

import json
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection, transaction
from drf_spectacular.views import SpectacularAPIView
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts.models import User
from accounts.services import api_token_create
from audit.tracking import HISTORY_MODELS
from dealer_portal.tenancy.scoping import unscoped
from dealer_portal.wsgi import application
from demo.management.commands.seed_demo import Command as SeedDemo
from demo.network import DEMO_EMAIL_DOMAIN, demo_network_build

from .conftest import CONTRACT_FIGURES

pytestmark = [pytest.mark.django_db]

BUILT_AT = datetime(2026, 11, 24, 11, 30, tzinfo=ZoneInfo("America/Mexico_City"))
ROLES = {"advisor": f"advisor@{DEMO_EMAIL_DOMAIN}", "hq": f"hq@{DEMO_EMAIL_DOMAIN}"}

# Bounded so both callers together take a few minutes on two cores: the coverage phase is exhaustive
# by construction; fuzzing adds this many random cases per operation; a stateful run this many scenarios.
FUZZED_EXAMPLES = 6
STATEFUL_SCENARIOS = 60
STATEFUL_STEPS = 8
SEED = 11

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large", "large_base_example"],
    "generation": {
        "max-examples": FUZZED_EXAMPLES, "deterministic": True, "no-shrink": True, "database": "none",
        # A NUL character is refused with a 400 in every string of every request by the request layer
        # (dealer_portal/middleware.py; tests/tenancy/test_hostile_input.py proves it route by route), a rule
        # the schema's string types cannot state: generated strings carry none, or valid reads would be "refused".
        "allow-x00": False,
    },
})


@contextmanager
def _request_keeps_the_test_connection():
    """Django closes a connection at each request's end; the test client's trick keeps the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker):
    """A small demo network, built once for this module and removed after it; each caller's token."""
    with django_db_blocker.unblock(), unscoped():
        demo_network_build(seed=7, dealers=2, months=2, now=BUILT_AT)
        tokens = {role: api_token_create(user=User.objects.get(email=email), name="Schema contract")[1]
                  for role, email in ROLES.items()}
    yield tokens
    with django_db_blocker.unblock(), unscoped():
        SeedDemo._delete_demo()
        _history_forget()


def _history_forget() -> None:
    """The module's rows are gone; their history goes too, so later tests find only their own (append-only for
    the product: TRUNCATE is a test's cleanup, and fires no row trigger)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in HISTORY_MODELS.values())
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables}")


@pytest.fixture(params=sorted(ROLES))
def role(request, demo_tokens, db):
    return request.param, demo_tokens[request.param]


@pytest.fixture
def figures(role):
    figures = CONTRACT_FIGURES.setdefault(role[0], {"operations": set(), "cases": 0, "linked": 0,
                                                           "failures": set()})
    with _request_keeps_the_test_connection():
        yield figures


def _served_schema() -> dict:
    """What /api/schema/ serves, read from its view at collection (drf-spectacular builds it without the
    database). The schema needs a login: the request carries a user that exists only in memory."""
    request = APIRequestFactory().get("/api/schema/", {"format": "json"})
    force_authenticate(request, user=User(email="schema-contract@example.com"))
    response = SpectacularAPIView.as_view()(request).render()
    assert response.status_code == 200, response.content
    return json.loads(response.content)


schema = schemathesis.openapi.from_dict(_served_schema(), config=CONFIG)
schema.app, schema.location = application, "/api/schema/"  # as from_wsgi leaves them: calls go to the app


FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class _RolledBack(Exception):
    pass


def _is_flat_form(body) -> bool:
    return isinstance(body, dict) and all(isinstance(value, (str, int, float, bool)) for value in body.values())


def _checks_that_do_not_apply(case, response) -> list:
    """Checks left out for this answer, each for a stated reason; every other check runs on every case."""
    excluded = []
    parameters = {parameter.name for parameter in case.operation.iter_parameters()}
    if case.method.upper() in ("POST", "PUT", "PATCH") or "network" in parameters:
        # A write names rows by id and meets rules no schema can state (a phone unique at the dealer, a vehicle of
        # that customer, a step in its order), and which network slugs exist is the caller's: a schema-valid
        # request may be refused with 400 and its field errors. Invalid input is still checked to be refused
        # (negative_data_rejection), and every 400 against the Error schema.
        excluded.append(schemathesis.checks.positive_data_acceptance)
    elif parameters & {"month", "quarter"}:
        # A month or quarter still to come is refused with a 400 on the field ("May 2031 is in the future"): a
        # rule of today's date that a schema pattern cannot state.
        excluded.append(schemathesis.checks.positive_data_acceptance)
    elif "cursor" in (case.query or {}):
        # A cursor is opaque: only those a page's next and previous links carry are valid, which no schema type
        # can state; any other string is refused with a 400 on cursor (checked against the Error schema).
        excluded.append(schemathesis.checks.positive_data_acceptance)
    if case.media_type in FORM_MEDIA_TYPES and not _is_flat_form(case.body):
        # A form body is a set of named text fields. A "body of another type" (an array, a string) cannot be sent
        # as one: schemathesis sends an unnamed part the server rightly reads as no fields (an empty PATCH). Nor
        # can a field whose value is an array, an object or null: a list goes out as one part per item (["phone"]
        # is sent as channel=phone, [] as no part at all), so the "invalid" value never reaches the server.
        excluded.append(schemathesis.checks.negative_data_rejection)
    return excluded


def _call_and_validate(case, token: str) -> None:
    headers = {"Authorization": f"Token {token}"}
    response = case.call(headers=headers)
    case.validate_response(response, excluded_checks=_checks_that_do_not_apply(case, response), headers=headers)


@schema.parametrize()
# The fixtures hold the module's rows and the caller's token; each case rolls its own writes back.
@hypothesis.settings(deadline=None, derandomize=True, database=None, print_blob=False,
                     suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_to_the_schema(case, role, figures):
    _name, token = role
    figures["operations"].add(case.operation.label)
    figures["cases"] += 1
    try:
        with transaction.atomic():  # every case sees the same rows; a failed one leaves the transaction usable
            _call_and_validate(case, token)
            raise _RolledBack
    except _RolledBack:
        pass
    except BaseException:  # schemathesis reports its failures as an exception group
        figures["failures"].add(case.operation.label)
        raise


def test_linked_operations_keep_to_the_schema(role, figures):
    _name, token = role
    headers = {"Authorization": f"Token {token}"}

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, excluded_checks=_checks_that_do_not_apply(case, response),
                                   additional_checks=additional_checks, headers=headers, transport_kwargs=kwargs,
                                   recorder=self.recorder)

        def step(self, input):
            figures["cases"] += 1
            figures["linked"] += 1
            figures["operations"].add(input.case.operation.label)
            try:
                with transaction.atomic():  # the rows a scenario creates stay for its next steps
                    return super().step(input)
            except BaseException:
                figures["failures"].add(f"stateful {input.case.operation.label}")
                raise

    Workflow.run(settings=hypothesis.settings(
        max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS, deadline=None, derandomize=True,
        database=None, print_blob=False, suppress_health_check=list(hypothesis.HealthCheck)))
