"""An update through the API validates exactly as a create does, for every writable endpoint.

The endpoints are read from the router: every viewset under /api/v1/ whose list route takes POST and whose
detail route takes PUT or PATCH. Each needs a valid create payload in ``ENDPOINTS`` (a test fails without one,
so a new endpoint cannot skip this). The bad values come from the serializer's own fields: each field left
out, null, of the wrong type, empty, too long, out of range; a date a year ago, in a year, in year 1 or 2999; a
row of another dealer or another network; another row's unique value. Whatever a create refuses with an error
on a field, PATCH and PUT refuse on an existing row with an error on the same field, and the row stays as it
was. Nothing answers 500.

A few rows are changed through the API but never created there; each is declared in ``UPDATE_ONLY`` with the
reason. With no create to compare with, every bad value of its fields (each is wrong whatever the row, and a
translation into a language the network does not write, of a field that is not translated, empty or too long)
must be refused by PATCH with an error on the field, the row staying as it was.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import UniqueConstraint
from django.urls import reverse
from django.utils import timezone
from rest_framework import fields as drf_fields
from rest_framework import relations

from accounts.models import User
from complaints.models import ComplaintCategory, StandardAnswer
from customers.models import Customer, Vehicle
from dealer_portal.tenancy.models import Dealer, Role
from dealer_portal.tenancy.scoping import unscoped
from tests import factories
from tests.api.routes import walk

pytestmark = pytest.mark.django_db

MISSING = object()  # a field left out of the payload


# --- The writable endpoints, read from the router ---------------------------------------------------------------


def _routes():
    """basename → (list route, viewset) of routes that create, and basename → detail route of those that update."""
    creates, updates = {}, {}
    for route, entry, _names in walk():
        actions = getattr(entry.callback, "actions", None)
        if not route.startswith("api/v1/") or actions is None:
            continue
        viewset = entry.callback.cls
        methods = {method for method in actions if method in viewset.http_method_names}
        basename, _, kind = entry.name.rpartition("-")
        if kind == "list" and "post" in methods:
            creates[basename] = (entry.name, viewset)
        elif kind == "detail" and methods & {"put", "patch"}:
            updates[basename] = entry.name
    return creates, updates


def _plain_views_that_update() -> list[str]:
    """API views outside the router that take PUT or PATCH on a URL naming one row (none may hide there)."""
    names = []
    for route, entry, params in walk():
        view_class = getattr(entry.callback, "view_class", None)
        routed = hasattr(entry.callback, "actions")
        if (route.startswith("api/v1/") and params and view_class and not routed
                and (hasattr(view_class, "put") or hasattr(view_class, "patch"))):
            names.append(entry.name)
    return names


CREATES, UPDATES = _routes()
WRITABLE = {basename: (CREATES[basename][0], detail, CREATES[basename][1])
            for basename, detail in UPDATES.items() if basename in CREATES}


def _serializer(viewset):
    view = viewset()
    view.action, view.request, view.format_kwarg = "create", None, None
    return view.get_serializer_class()()


def _writable_fields(viewset) -> dict:
    return {name: field for name, field in _serializer(viewset).fields.items() if not field.read_only}


def _model(viewset):
    return _serializer(viewset).Meta.model


def _related_model(model, field):
    """The model a field points to: a related field's queryset, or the foreign key its source names."""
    if isinstance(field, relations.RelatedField):
        return field.queryset.model
    try:
        model_field = model._meta.get_field(field.source)
    except Exception:  # noqa: BLE001 - a source that is no model field (a method, a dotted path)
        return None
    return model_field.related_model if model_field.many_to_one or model_field.one_to_one else None


def _owned_per_dealer(model) -> bool:
    """A dealer's row (or a person working at one); otherwise a network's, which every dealer of it shares."""
    return model in (Dealer, User) or any(f.name == "dealer" for f in model._meta.concrete_fields)


def _unique_sets(model, fields) -> list[tuple[str, ...]]:
    """Each set of writable fields whose values must be unique (at the dealer), as the model declares."""
    by_source = {field.source: name for name, field in fields.items()}
    declared = [tuple(c.fields) for c in model._meta.constraints if isinstance(c, UniqueConstraint) and c.fields]
    declared += [tuple(together) for together in model._meta.unique_together]
    declared += [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets = []
    for names in declared:
        names = [name for name in names if name != "dealer"]
        if names and all(name in by_source for name in names):
            sets.append(tuple(by_source[name] for name in names))
    return sets


def _kinds(model, name, field) -> list[str]:
    """The bad values this field is tried with."""
    kinds = []
    if field.required:
        kinds.append("missing")
    if not field.allow_null:
        kinds.append("null")
    related = _related_model(model, field)
    if related is not None:
        kinds += ["not_a_number", "empty_string"]
        if _owned_per_dealer(related):
            kinds.append("other_dealers_row")
        kinds.append("other_networks_row")
    elif isinstance(field, drf_fields.BooleanField):
        kinds.append("not_a_boolean")
    elif isinstance(field, drf_fields.DateTimeField | drf_fields.DateField):
        kinds += ["not_a_date", "empty_string", "a_year_ago", "in_a_year", "year_1", "year_2999"]
    elif isinstance(field, drf_fields.IntegerField | drf_fields.FloatField | drf_fields.DecimalField):
        kinds += ["not_a_number", "empty_string", "negative", "too_big"]
    elif isinstance(field, drf_fields.ChoiceField):
        kinds += ["not_a_choice", "a_list"] + ([] if field.allow_blank else ["empty_string"])
    elif isinstance(field, drf_fields.CharField):
        kinds += ["a_list"] + ([] if field.allow_blank else ["empty_string"])
        if field.max_length:
            kinds.append("too_long")
    elif isinstance(field, drf_fields.JSONField) and name == "translations":
        kinds += ["not_a_dict", "texts_not_a_dict", "unknown_language", "untranslated_field", "empty_text",
                  "too_long_text"]
    else:
        kinds.append(f"unsupported field type {type(field).__name__}")
    return kinds


def _cases():
    cases = []
    for basename, (_list, _detail, viewset) in sorted(WRITABLE.items()):
        fields, model = _writable_fields(viewset), _model(viewset)
        for name, field in fields.items():
            cases += [(basename, name, kind) for kind in _kinds(model, name, field)]
        cases += [(basename, "+".join(names), "duplicate") for names in _unique_sets(model, fields)]
    return cases


CASES = _cases()


# --- Rows the API changes but does not create ----------------------------------------------------------------------

# basename → why the API has no create for it. Each is a network's content: PATCH only, by its network admins.
UPDATE_ONLY = {
    "complaint-category": "the network's taxonomy (areas and the categories under them) is shaped in the admin; "
                          "the API renames a category and writes its translations",
    "standard-answer": "an answer is added in the admin under its category; the API rewords it and writes its "
                       "translations",
}


def _update_only_cases():
    cases = []
    for basename in sorted(UPDATE_ONLY):
        viewset = _update_only_viewset(basename)
        fields, model = _writable_fields(viewset), _model(viewset)
        cases += [(basename, name, kind) for name, field in fields.items()
                  for kind in _kinds(model, name, field) if kind != "missing"]  # a PATCH sends only what changes
    return cases


def _update_only_viewset(basename):
    return next(entry.callback.cls for route, entry, _names in walk()
                if entry.name == f"{basename}-detail" and hasattr(entry.callback, "actions"))


UPDATE_ONLY_CASES = _update_only_cases()


# --- One valid create payload per endpoint -------------------------------------------------------------------------


class World:
    """The conftest's tenants and people, and a counter so every payload is new."""

    def __init__(self, request):
        get = request.getfixturevalue
        self.network, self.dealer = get("network"), get("dealer")
        self.other_dealer, self.foreign_dealer = get("other_dealer"), get("foreign_dealer")
        self.people = {"advisor": get("advisor"), "manager": get("manager"), "network_admin": get("network_admin")}
        self._api_as = get("api_as")
        self._counter = itertools.count(1)
        with unscoped():
            area = ComplaintCategory.objects.create(network=self.network, name="Servicio")
            self.category = ComplaintCategory.objects.create(network=self.network, parent=area, name="Retraso")

    def number(self) -> int:
        return next(self._counter)

    def vehicle(self, dealer=None) -> Vehicle:
        with unscoped():
            customer = factories.CustomerFactory(dealer=dealer or self.dealer, phone=f"+5255{self.number():08d}")
            return factories.VehicleFactory(customer=customer, vin=f"5YJSA1E2XHF{self.number():06d}")

    def client(self, person: str):
        client = self._api_as(self.people[person])
        client.raise_request_exception = False  # a 500 is an answer to report, not an error of the test
        return client


def _customer(world):
    n = world.number()
    return {"dealer": world.dealer.pk, "name": f"Cliente {n}", "phone": f"+5281{n + 70_000_000:08d}",
            "phone_alt": "", "email": f"cliente{n}@example.com", "language": "es", "contact_consent": True,
            "do_not_contact": False, "do_not_contact_reason": ""}


def _vehicle(world):
    n = world.number()
    customer = world.vehicle().customer
    return {"dealer": world.dealer.pk, "customer": customer.pk, "vin": f"1HGCM82633A{n:06d}", "plate": f"GEN{n:04d}",
            "make": "Aurora", "model": "Lince", "handover_date": "2025-05-01"}


def _job(world):
    vehicle = world.vehicle()
    return {"dealer": world.dealer.pk, "number": f"RO-GEN-{world.number():04d}", "customer": vehicle.customer_id,
            "vehicle": vehicle.pk, "work_category": "repair", "concern": "Ruido al frenar", "mileage": 42_000,
            "appointment_at": (timezone.now() - timedelta(minutes=10)).isoformat()}


def _handover(world):
    vehicle = world.vehicle()
    yesterday = timezone.now() - timedelta(days=1)
    return {"dealer": world.dealer.pk, "customer": vehicle.customer_id, "vehicle": vehicle.pk,
            "promised_delivery_date": (yesterday - timedelta(days=3)).date().isoformat(),
            "delivered_at": yesterday.isoformat(), "delivered_faultless": True, "introduction_given": True}


def _compliment(world):
    return {"dealer": world.dealer.pk, "customer": world.vehicle().customer_id, "department": "service",
            "person": world.people["advisor"].pk, "channel": "survey", "words": f"Excelente atención {world.number()}",
            "received_at": (timezone.now() - timedelta(days=1)).isoformat()}


def _improvement_plan(world):
    return {"dealer": world.dealer.pk, "category": world.category.pk, "cause": f"Falta de técnicos {world.number()}",
            "action": "Contratar un técnico", "owner": world.people["manager"].pk,
            "due_date": (timezone.localdate() + timedelta(days=14)).isoformat(), "status": "open"}


@dataclass(frozen=True)
class Endpoint:
    person: str  # who writes: a key of World.people
    payload: Callable[[World], dict]


def _existing_category(world):
    return world.category


def _existing_answer(world):
    with unscoped():
        return StandardAnswer.objects.create(network=world.network, category=world.category, title="Retraso",
                                             body=f"Lamentamos el retraso {world.number()}.")


# The row of each UPDATE_ONLY endpoint to change (made as the admin makes it), and who changes it.
UPDATE_ONLY_ROWS = {
    "complaint-category": Endpoint("network_admin", _existing_category),
    "standard-answer": Endpoint("network_admin", _existing_answer),
}

ENDPOINTS = {
    "customer": Endpoint("advisor", _customer),
    "vehicle": Endpoint("advisor", _vehicle),
    "job": Endpoint("advisor", _job),
    "handover": Endpoint("advisor", _handover),
    "compliment": Endpoint("advisor", _compliment),
    "improvement-plan": Endpoint("manager", _improvement_plan),
}


def _row_elsewhere(model, dealer):
    """A row of ``model`` that belongs to ``dealer`` (a dealer of another region or another network)."""
    with unscoped():
        if model is Dealer:
            return dealer
        if model is Customer:
            return factories.CustomerFactory(dealer=dealer)
        if model is Vehicle:
            return factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
        if model is User:
            return factories.MembershipFactory(dealer=dealer, role=Role.SERVICE_ADVISOR).user
        if model is ComplaintCategory:
            return ComplaintCategory.objects.create(network=dealer.network, name="Elsewhere")
    raise AssertionError(f"Teach _row_elsewhere to build a {model.__name__} of another dealer or network.")


# --- The checks ------------------------------------------------------------------------------------------------------


@pytest.fixture
def world(request):
    return World(request)


class _ServerError(Exception):
    def __init__(self, response):
        self.response = response


def _answer(client, method, url, body):
    """The response; a 500's writes are rolled back so the test's transaction stays usable (PostgreSQL)."""
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, body, format="json")
            if response.status_code >= 500:
                raise _ServerError(response)
    except _ServerError as error:
        return error.response
    return response


def _said(response) -> str:
    if response.status_code >= 500:
        exc_info = getattr(response, "exc_info", None)
        return f"{response.status_code} ({exc_info[1]!r})" if exc_info else str(response.status_code)
    try:
        return f"{response.status_code} {response.json().get('errors') or response.json()}"
    except ValueError:
        return str(response.status_code)


def _errors(response) -> dict:
    return response.json().get("errors", {}) if response.status_code == 400 else {}


def _changed(payload: dict, change: dict) -> dict:
    changed = dict(payload)
    for name, value in change.items():
        if value is MISSING:
            changed.pop(name, None)
        else:
            changed[name] = value
    return changed


def _snapshot(model, pk) -> dict:
    with unscoped():
        return model._base_manager.filter(pk=pk).values().get()


def _create(world, basename) -> tuple[int, dict]:
    list_name = WRITABLE[basename][0]
    payload = ENDPOINTS[basename].payload(world)
    response = _answer(world.client(ENDPOINTS[basename].person), "post", reverse(list_name), payload)
    assert response.status_code == 201, f"the valid payload of {basename} was refused: {_said(response)}"
    return response.json()["id"], payload


def _bad_value(kind: str, field, model, world):
    if kind in ("other_dealers_row", "other_networks_row"):
        dealer = world.other_dealer if kind == "other_dealers_row" else world.foreign_dealer
        return _row_elsewhere(_related_model(model, field), dealer).pk
    is_datetime = isinstance(field, drf_fields.DateTimeField)
    now = timezone.now() if is_datetime else timezone.localdate()
    values = {
        "missing": MISSING, "null": None, "empty_string": "", "not_a_number": "not-a-number",
        "not_a_boolean": "perhaps", "not_a_date": "not-a-date", "not_a_choice": "not-a-choice",
        "a_list": ["a", "list"], "negative": -1, "too_big": 2**31,
        "a_year_ago": (now - timedelta(days=366)).isoformat(), "in_a_year": (now + timedelta(days=366)).isoformat(),
        "year_1": "0001-01-01T00:00:00Z" if is_datetime else "0001-01-01",
        "year_2999": "2999-12-31T12:00:00Z" if is_datetime else "2999-12-31",
    }
    if kind == "too_long":
        length = (field.max_length or 0) + 1
        return "x" * (length - 12) + "@example.com" if isinstance(field, drf_fields.EmailField) else "x" * length
    translated = getattr(model, "translatable_fields", ("text",))[0]  # the network writes in English and Spanish
    translation = {"not_a_dict": ["es", "texto"], "texts_not_a_dict": {"es": "texto"},
                   "unknown_language": {"de": {translated: "Text"}}, "untranslated_field": {"es": {"colour": "rojo"}},
                   "empty_text": {"es": {translated: "  "}}, "too_long_text": {"es": {translated: "x" * 10_001}}}
    if kind in translation:
        return translation[kind]
    if kind not in values:
        raise AssertionError(f"Teach this test which bad values to try for {kind}.")
    return values[kind]


def test_the_writable_endpoints_were_found():
    assert {"customer", "vehicle", "job", "compliment"} <= set(WRITABLE)


def test_every_writable_endpoint_has_a_valid_create_payload():
    assert set(UPDATES) - set(UPDATE_ONLY) <= set(CREATES), ("an endpoint updates rows it cannot create: compare "
                                                             "it with its service, or declare it in UPDATE_ONLY")
    assert set(UPDATE_ONLY) <= set(UPDATES) - set(CREATES), "UPDATE_ONLY names an endpoint that creates or is gone"
    assert set(UPDATE_ONLY) == set(UPDATE_ONLY_ROWS), "add (or remove) the endpoint's row in UPDATE_ONLY_ROWS"
    assert set(WRITABLE) == set(ENDPOINTS), "add (or remove) the endpoint's valid payload in ENDPOINTS"
    assert _plain_views_that_update() == [], "a view outside the router updates rows: route it through a viewset"


@pytest.mark.parametrize("basename", sorted(WRITABLE))
def test_update_accepts_the_row_as_it_was_created(basename, world):
    """PATCH with nothing and PUT with the create's own payload change nothing, so they are accepted."""
    list_name, detail_name, viewset = WRITABLE[basename]
    pk, payload = _create(world, basename)
    client, url = world.client(ENDPOINTS[basename].person), reverse(detail_name, args=[pk])
    answers = {method: _answer(client, method, url, body) for method, body in (("patch", {}), ("put", payload))}
    assert {method: _said(r) for method, r in answers.items() if r.status_code != 200} == {}


@pytest.mark.parametrize(("basename", "field", "kind"), CASES, ids=[f"{b}-{f}-{k}" for b, f, k in CASES])
def test_update_refuses_what_create_refuses(basename, field, kind, world):
    list_name, detail_name, viewset = WRITABLE[basename]
    model, fields = _model(viewset), _writable_fields(viewset)
    spec = ENDPOINTS[basename]
    client = world.client(spec.person)
    pk, row_payload = _create(world, basename)
    if kind == "duplicate":
        _other_pk, other_payload = _create(world, basename)
        change = {name: other_payload[name] for name in field.split("+")}
    else:
        change = {field: _bad_value(kind, fields[field], model, world)}

    created = _answer(client, "post", reverse(list_name), _changed(spec.payload(world), change))
    problems = [f"POST answered {_said(created)}"] if created.status_code >= 500 else []
    refused = set(_errors(created)) & set(change) if created.status_code == 400 else None

    patch = {name: value for name, value in change.items() if value is not MISSING}
    attempts = ([("patch", patch)] if patch else []) + [("put", _changed(row_payload, change))]
    for method, body in attempts:
        before = _snapshot(model, pk)
        response = _answer(client, method, reverse(detail_name, args=[pk]), body)
        if response.status_code >= 500:
            problems.append(f"{method.upper()} answered {_said(response)}")
        elif refused is not None:
            if response.status_code != 400 or not refused <= set(_errors(response)):
                problems.append(f"{method.upper()} answered {_said(response)} where POST answered {_said(created)}")
            if _snapshot(model, pk) != before:
                problems.append(f"{method.upper()} changed the row that POST's checks refuse")
    assert problems == [], f"{basename} {field}={change}: " + "; ".join(problems)


def _update_only_row(world, basename):
    """The row, in a network that writes in English and Spanish (so a Spanish translation is one it takes)."""
    world.network.content_languages = ["es"]
    world.network.save(update_fields=["content_languages"])
    row = UPDATE_ONLY_ROWS[basename].payload(world)
    client = world.client(UPDATE_ONLY_ROWS[basename].person)
    return row, client, reverse(f"{basename}-detail", args=[row.pk])


@pytest.mark.parametrize("basename", sorted(UPDATE_ONLY))
def test_an_update_only_endpoint_accepts_the_row_as_it_is(basename, world):
    """PATCH with nothing, and with every writable field as the row has it, changes nothing: accepted."""
    row, client, url = _update_only_row(world, basename)
    as_it_is = {name: client.get(url).json()[name] for name in _writable_fields(_update_only_viewset(basename))}
    answers = {label: _answer(client, "patch", url, body) for label, body in (("empty", {}), ("as it is", as_it_is))}
    assert {label: _said(r) for label, r in answers.items() if r.status_code != 200} == {}


@pytest.mark.parametrize(("basename", "field", "kind"), UPDATE_ONLY_CASES,
                         ids=[f"{b}-{f}-{k}" for b, f, k in UPDATE_ONLY_CASES])
def test_an_update_only_endpoint_refuses_what_is_wrong(basename, field, kind, world):
    viewset = _update_only_viewset(basename)
    model, fields = _model(viewset), _writable_fields(viewset)
    row, client, url = _update_only_row(world, basename)
    value = _bad_value(kind, fields[field], model, world)
    before = _snapshot(model, row.pk)
    response = _answer(client, "patch", url, {field: value})
    problems = []
    if response.status_code != 400 or field not in _errors(response):
        problems.append(f"PATCH answered {_said(response)}")
    if _snapshot(model, row.pk) != before:
        problems.append("PATCH changed the row")
    assert problems == [], f"{basename} {field}={value!r}: " + "; ".join(problems)
