"""The dashboards' charts speak the reader's language: labels come from the server, months and weeks are local."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db

SPANISH_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                  "octubre", "noviembre", "diciembre")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")


def chart_data(page, element_id):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def in_language(client, user, language):
    """``client``, logged in as ``user``, who reads ``language`` (kept on the account, as the picker saves it)."""
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def names_a_month(label, months):
    return any(month in label for month in months)


@pytest.mark.parametrize(("language", "months", "other_months"), [("es", SPANISH_MONTHS, ENGLISH_MONTHS),
                                                                 ("en", ENGLISH_MONTHS, SPANISH_MONTHS)])
def test_complaint_dashboard_months_are_named_in_the_readers_language(client, manager, dealer, language, months,
                                                                      other_months):
    page = in_language(client, manager, language).get(
        reverse("complaint_dashboard", args=[dealer.network.slug, dealer.code])).content.decode()

    chart = chart_data(page, "complaint-chart-data")

    assert chart["months"] and all(names_a_month(label, months) for label in chart["months"])
    assert not any(names_a_month(label, other_months) for label in chart["months"])
    assert set(chart["labels"]) == {"complaints", "compliments", "cumulative"}


def test_promise_dashboard_weeks_are_named_in_the_readers_language(client, manager, dealer, make_job, in_dealer):
    walk_to(make_job(appointment_in=timedelta(hours=-3)), "handover")
    url = reverse("promise_dashboard", args=[dealer.network.slug, dealer.code])

    spanish = chart_data(in_language(client, manager, "es").get(url).content.decode(), "chart-data")
    english = chart_data(in_language(client, manager, "en").get(url).content.decode(), "chart-data")

    assert spanish["weeks"] and all(names_a_month(label, SPANISH_MONTHS) for label in spanish["weeks"])
    assert all(names_a_month(label, ENGLISH_MONTHS) and label.startswith("Week of ") for label in english["weeks"])
    assert english["labels"] == {"kept": "Share kept"}
    assert english["promise_titles"][0] == "1. Welcomed at the agreed appointment time"
