"""Timeline entries the system writes read in each reader's language; people's words are shown as written."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from complaints import services
from complaints.models import EntryKind, TimelineEntry
from complaints.rules import duration_words
from complaints.services import complaints_escalate
from complaints.timeline import LEVEL_NAMES
from tests import factories

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
ESCALATED = "Escalated to level %(level)s (%(who)s), %(late)s past the reply limit. Told: %(names)s."


def expected_escalation(language: str, *, names: str) -> str:
    with translation.override(language):
        return gettext(ESCALATED) % {"level": 1, "who": LEVEL_NAMES[1], "late": duration_words(2 * H),
                                     "names": names}


def test_an_escalation_written_by_the_beat_task_reads_in_each_readers_language(in_dealer, dealer, manager):
    customer = factories.CustomerFactory(dealer=dealer, name="Rosa Garza")
    complaint = services.complaint_log(dealer=dealer, customer=customer, department="service", channel="phone",
                                       words="Nadie me ha llamado", received_at=timezone.now() - H)
    with translation.override("en"):  # the beat task's language must not decide what readers see
        assert complaints_escalate(now=complaint.received_at + 72 * H + 2 * H) == 1
    entry = TimelineEntry.objects.get(complaint=complaint, kind=EntryKind.ESCALATION)

    texts = {}
    for language in ("en", "es", "zh-hans"):
        with translation.override(language):
            texts[language] = entry.body_text
    assert texts == {language: expected_escalation(language, names=str(manager)) for language in texts}
    assert texts["en"] == f"Escalated to level 1 (dealer manager), 2 h 0 min past the reply limit. Told: {manager}."
    with translation.override("es"):
        if gettext(ESCALATED) != ESCALATED:  # once the catalogue is compiled
            assert texts["es"].startswith("Escalada al nivel 1")


def test_a_customers_words_on_the_timeline_are_shown_as_written(in_dealer, dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    complaint = services.complaint_log(dealer=dealer, customer=customer, department="service", channel="phone",
                                       words="Nadie me ha llamado")
    entry = TimelineEntry.objects.get(complaint=complaint)

    with translation.override("zh-hans"):
        assert (entry.body_key, entry.body_text) == ("", "Nadie me ha llamado")
