"""A stored promise reason reads in each reader's language, its times in the dealer's zone, whoever caused it."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from dealer_portal.tenancy.scoping import unscoped
from servicejobs.models import PromiseCheck, ServiceJob
from servicejobs.reasons import PROMISE_REASONS, Reason
from servicejobs.services import job_promises_refresh

pytestmark = pytest.mark.django_db

EXTRA_WORK = "Extra work, authorised by the customer at %(time)s."
# 03:30 on 11 December in UTC is 21:30 on 10 December in Monterrey (UTC-6), the dealer's zone.
AUTHORISED_AT = datetime(datetime.now().year + 1, 12, 11, 3, 30, tzinfo=UTC)
LOCAL_MOMENT = {"en": "10 Dec 21:30", "es": "10 dic 21:30", "zh-hans": "12月10日 21:30"}


@pytest.fixture
def extra_work_check(dealer, make_job):
    """Promise 6 of a job whose extra work the customer authorised, evaluated by an English-speaking caller."""
    job = make_job()
    with unscoped(), translation.override("en"):
        ServiceJob.objects.filter(pk=job.pk).update(done_as_agreed=False, extra_work_authorised_at=AUTHORISED_AT)
        job_promises_refresh(ServiceJob.objects.select_related("dealer__network").get(pk=job.pk))
        return PromiseCheck.objects.get(job=job, number=6)


def reads(check: PromiseCheck, language: str) -> str:
    with translation.override(language):
        return check.reason_text


def expected(language: str) -> str:
    with translation.override(language):
        return gettext(EXTRA_WORK) % {"time": LOCAL_MOMENT[language]}


def test_one_promise_check_reads_in_spanish_for_a_spanish_reader_and_in_chinese_for_a_chinese_reader(
        extra_work_check):
    texts = {language: reads(extra_work_check, language) for language in LOCAL_MOMENT}

    assert texts == {language: expected(language) for language in LOCAL_MOMENT}
    assert texts["en"] == "Extra work, authorised by the customer at 10 Dec 21:30."
    with translation.override("es"):
        spanish_translated = gettext(EXTRA_WORK) != EXTRA_WORK
    with translation.override("zh-hans"):
        chinese_translated = gettext(EXTRA_WORK) != EXTRA_WORK
    if spanish_translated and chinese_translated:  # once the catalogues are compiled
        assert len(set(texts.values())) == 3


def test_the_reasons_time_is_the_dealers_local_day_with_the_readers_month_name(extra_work_check):
    assert "dic" in reads(extra_work_check, "es") and "Dec" not in reads(extra_work_check, "es")
    assert "12月10日" in reads(extra_work_check, "zh-hans")
    for language in LOCAL_MOMENT:
        assert "21:30" in reads(extra_work_check, language) and "03:30" not in reads(extra_work_check, language)


def test_the_stored_reason_says_what_it_is_not_its_words(extra_work_check):
    assert extra_work_check.reason_key == "extra_work_authorised"
    assert extra_work_check.reason_params == {"time": f"{AUTHORISED_AT.year}-12-10T21:30:00-06:00"}


def test_a_row_stored_before_reason_keys_shows_its_stored_words(extra_work_check):
    with unscoped():
        PromiseCheck.objects.filter(pk=extra_work_check.pk).update(reason_key="", reason_params={},
                                                                   reason="Trabajo adicional autorizado.")
        old = PromiseCheck.objects.get(pk=extra_work_check.pk)

    assert reads(old, "zh-hans") == reads(old, "en") == "Trabajo adicional autorizado."


@pytest.mark.parametrize("language", sorted(LOCAL_MOMENT))
def test_the_job_panel_shows_the_reason_in_the_readers_language(client, advisor, dealer, extra_work_check, language):
    advisor.language = language
    advisor.save(update_fields=["language"])
    client.force_login(advisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    with translation.override("en"):  # the request activates the reader's language; later tests start in English
        page = client.get(reverse("job_detail", args=[dealer.network.slug, dealer.code, extra_work_check.job_id]))

    assert page.status_code == 200
    assert escape(expected(language)) in page.content.decode()


def test_every_promise_reason_reads_in_each_language_with_its_params():
    moment = "2027-12-10T21:30:00-06:00"
    params = {"time": moment, "previous": moment, "new": moment, "told": moment, "day": "2027-12-08",
              "start": "2027-12-10", "end": "2027-12-12", "minutes": 3, "late": 25, "count": 2, "h": 1, "m": 30,
              "number": "RO-9", "days": 2}
    for language in ("en", "es", "fi", "ms", "zh-hans"):
        for key in PROMISE_REASONS.sentences:
            with translation.override(language):
                text = Reason(key, params).text
            assert text and "%(" not in text, (language, key)
