"""Every step the recovery process declares (complaints/transitions.py) works the same from the page and the
API: reachable from each state it allows with the same inputs, refused from every other with the same reason."""

from collections import deque

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.urls import reverse

from complaints import services
from complaints.models import Complaint, ComplaintState
from complaints.selectors import dealer_staff
from complaints.transitions import TRANSITIONS
from dealer_portal.tenancy.scoping import unscoped
from tests import factories

pytestmark = pytest.mark.django_db


def paths_from_new() -> dict[str, list[str]]:
    """The shortest run of declared steps from a new complaint to each state (breadth first)."""
    paths, queue = {ComplaintState.NEW: []}, deque([ComplaintState.NEW])
    while queue:
        state = queue.popleft()
        for transition in TRANSITIONS.values():
            if state in transition.allowed_from and transition.leads_to and transition.leads_to not in paths:
                paths[transition.leads_to] = [*paths[state], transition.action]
                queue.append(transition.leads_to)
    return paths


PATHS = paths_from_new()
STEPS = [(action, state) for action, transition in TRANSITIONS.items() for state in sorted(transition.allowed_from)]


def inputs_for(form) -> dict:
    """What a person fills in on the step's form: some words in each text, the first option of each list."""
    values = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.ChoiceField):
            options = [value for value, _label in field.choices if value != ""]
            values[name] = options[0] if options else None
        elif not isinstance(field, forms.DateTimeField):  # a moment left empty is "now"
            values[name] = f"Lo que dice {name}"
    return values


def form_for(complaint, action, data=None):
    return TRANSITIONS[action].form(data, complaint=complaint, staff=dealer_staff(complaint.dealer))


@pytest.fixture
def complaint_in(in_dealer, dealer, representative, manager):
    """``complaint_in(state)``: a new complaint walked to ``state`` by the declared steps, through their forms."""
    def make(state):
        complaint = services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer),
                                           department="service", channel="phone", words="Hace ruido")
        for action in PATHS[state]:
            form = form_for(complaint, action, inputs_for(form_for(complaint, action)))
            assert form.is_valid(), (action, form.errors)
            complaint = services.complaint_transition(complaint=complaint, action=action, **form.cleaned_data)
        assert complaint.state == state
        return Complaint.objects.select_related("dealer__network").get(pk=complaint.pk)
    return make


def page_url(complaint, *parts):
    dealer = complaint.dealer
    return reverse(parts[0], args=[dealer.network.slug, dealer.code, complaint.pk, *parts[1:]])


def state_of(complaint):
    with unscoped():
        return Complaint.objects.get(pk=complaint.pk).state


def test_every_state_a_step_leaves_from_can_be_reached():
    assert {state for _action, state in STEPS} <= set(PATHS)


@pytest.mark.parametrize(("action", "state"), STEPS, ids=[f"{action}-from-{state}" for action, state in STEPS])
def test_every_declared_step_is_reachable_from_the_page_and_the_api_with_the_same_inputs(
        client, api_as, representative, complaint_in, action, state):
    transition = TRANSITIONS[action]
    on_page, through_api = complaint_in(state), complaint_in(state)
    # The same fields and values; an id picked from a list (a proposal) is each complaint's own.
    inputs, api_inputs = inputs_for(form_for(on_page, action)), inputs_for(form_for(through_api, action))
    assert api_inputs.keys() == inputs.keys()
    expected = transition.leads_to or on_page.state_before_hold
    client.force_login(representative)

    page = client.get(page_url(on_page, "complaint_detail")).content.decode()
    assert f'data-testid="action-{action}"' in page
    for name in inputs:
        assert f'name="{action}-{name}"' in page

    posted = client.post(page_url(on_page, "complaint_action", action),
                         {f"{action}-{name}": value for name, value in inputs.items()})
    assert posted.status_code == 302, posted.content.decode()[:500]
    assert state_of(on_page) == expected

    response = api_as(representative).post(reverse("complaint-perform-action", args=[through_api.pk, action]),
                                           api_inputs, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == expected == state_of(through_api)


@pytest.mark.parametrize("state", list(PATHS))
def test_every_declared_step_is_refused_elsewhere_with_the_same_reason_on_the_page_and_the_api(
        client, api_as, representative, complaint_in, state):
    complaint = complaint_in(state)
    refused = [t for t in TRANSITIONS.values() if state not in t.allowed_from]
    assert refused or state not in ComplaintState.values
    client.force_login(representative)
    api = api_as(representative)
    for transition in refused:
        inputs = inputs_for(form_for(complaint, transition.action))
        posted = client.post(page_url(complaint, "complaint_action", transition.action),
                             {f"{transition.action}-{name}": value for name, value in inputs.items()
                              if value is not None})
        on_page = [str(message) for message in get_messages(posted.wsgi_request)]
        response = api.post(reverse("complaint-perform-action", args=[complaint.pk, transition.action]), inputs,
                            format="json")
        assert response.status_code == 400
        assert on_page == response.json()["errors"]["action"] == [transition.refusal(complaint)]
        assert state_of(complaint) == state
        page = client.get(page_url(complaint, "complaint_detail")).content.decode()
        assert f'data-testid="action-{transition.action}"' not in page
