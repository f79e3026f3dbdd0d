"""The demo network: deterministic, complete (every role), and built with bulk inserts."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import User
from customers.models import Customer, Vehicle
from dealer_portal.tenancy.models import Dealer, Membership, Network, Region, Role
from dealer_portal.tenancy.scoping import unscoped
from demo.management.commands.seed_demo import Command as SeedDemo
from demo.network import demo_network_build, history_months
from demo.second_factors import DEMO_TOTP_SECRETS
from scoring.models import Assessment, AssessmentStatus, EntryStatus, Ranking, RankingEntry

pytestmark = pytest.mark.django_db


def _snapshot():
    with unscoped():
        return (
            list(Dealer.objects.order_by("code").values_list("network__slug", "code", "name", "time_zone")),
            list(Customer.objects.order_by("dealer__code", "name", "phone").values_list("name", "phone")[:50]),
            list(Vehicle.objects.order_by("vin").values_list("vin", "plate")[:50]),
        )


def test_default_demo_has_four_regions_forty_dealers_and_every_role():
    call_command("seed_demo", "--seed", "3", "--months", "1")  # the default dealers; one month keeps it quick
    with unscoped():
        aurora = Network.objects.get(slug="aurora-mx")
        assert Region.objects.filter(network=aurora).count() == 4
        assert Dealer.objects.filter(network=aurora).count() == 40
        assert len(set(Dealer.objects.filter(network=aurora).values_list("time_zone", flat=True))) >= 4
        roles = set(Membership.objects.filter(network=aurora).values_list("role", flat=True))
        assert roles == set(Role.values)
        rep = User.objects.get(email="rep@demo.test")
        assert Membership.objects.filter(user=rep).count() == 2
        assert Customer.objects.filter(dealer__network=aurora).count() == 40 * 120


def test_same_seed_gives_the_same_data_and_another_seed_differs():
    call_command("seed_demo", "--seed", "11", "--dealers", "8", "--months", "1")
    first = _snapshot()
    call_command("seed_demo", "--seed", "11", "--dealers", "8", "--months", "1", "--reset")
    assert _snapshot() == first
    call_command("seed_demo", "--seed", "12", "--dealers", "8", "--months", "1", "--reset")
    assert _snapshot() != first


def test_running_it_again_changes_nothing(capsys):
    call_command("seed_demo", "--dealers", "4", "--months", "1")
    call_command("seed_demo", "--dealers", "4", "--months", "1")
    assert "exists already" in capsys.readouterr().out
    with unscoped():
        assert Network.objects.filter(slug="aurora-mx").count() == 1


def test_network_scale_uses_bulk_inserts(django_assert_max_num_queries):
    # 500 dealers, ~1500 users, ~2500 customers, ~3000 vehicles, ~3000 service jobs (two complete months and
    # this one) with ~27,000 promise checks, a complaint or two per dealer with their timelines, ~3000 follow-up
    # calls with their answers (and their promise-9 checks rewritten), ~950 POE assessments with ~13,000 item
    # scores and two published rankings of 500 lines: row-by-row would be about 75,000 statements; batches
    # stay about a thousand even on SQLite's small batch size (31 job rows of 32 columns fit in one statement,
    # 166 promise checks, 99 timeline entries, 58 calls, 166 item scores, 58 ranking lines), plus a few dozen
    # for the two networks' checklists and one query per KPI for each published month.
    with django_assert_max_num_queries(1100):
        call_command("seed_demo", "--dealers", "500", "--months", "2")
    with unscoped():
        assert Dealer.objects.filter(network__slug="aurora-mx").count() == 500


def test_bad_arguments_are_refused_with_a_message():
    with pytest.raises(CommandError, match="--dealers must be at least 2"):
        call_command("seed_demo", "--dealers", "0")


def test_documented_demo_accounts_can_log_in(client):
    call_command("seed_demo", "--dealers", "4", "--months", "1")
    for email in ("advisor@demo.test", "rep@demo.test", "hq@demo.test", "admin@demo.test",
                  "regional.nte@demo.test", "manager@demo.test", "superuser@demo.test"):
        client.logout()
        response = client.post(reverse("account_login"), {"login": email, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, email
        if email in DEMO_TOTP_SECRETS:  # HQ, the network admin and the superuser give their app's code
            assert response.url == reverse("mfa_authenticate"), email
            code = pyotp.TOTP(DEMO_TOTP_SECRETS[email]).now()
            assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302, email
        assert "_auth_user_id" in client.session, email
        assert client.get(reverse("home"), follow=True).status_code == 200


# --- The year of POE assessments and published rankings ---------------------------------------------------

TODAY = date(2026, 11, 23)
PAST_MONTHS = [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]


def _build_small_demo(seed: int = 5):
    with unscoped():
        return demo_network_build(seed=seed, dealers=6, months=3, today=TODAY)


@pytest.fixture
def small_demo():
    return _build_small_demo()


def _lines(month: date) -> dict[str, tuple]:
    """The current published ranking of ``month``: dealer code → (status, POE, SQ, overall, stars, rank, last rank)."""
    with unscoped():
        rows = (RankingEntry.objects.filter(ranking__network__slug="aurora-mx", ranking__month=month,
                                            ranking__is_current=True)
                .values_list("dealer__code", "status", "poe", "service_quality", "overall", "stars", "rank_network",
                             "previous_rank"))
        return {code: rest for code, *rest in rows}


def test_history_covers_every_ranked_month_from_its_first_day():
    assert history_months(TODAY, 12) == 13
    assert TODAY - timedelta(days=13 * 30) <= date(2025, 11, 1)
    assert history_months(date(2026, 12, 31), 12) == 14
    assert date(2026, 12, 31) - timedelta(days=14 * 30) <= date(2025, 12, 1)


def test_every_past_month_has_a_published_ranking_listing_every_dealer(small_demo):
    with unscoped():
        # The summary counts every network's; the small Malaysian network has its own few months.
        malaysian = (Assessment.objects.filter(dealer__network__slug="proton-my").count(),
                     Ranking.objects.filter(network__slug="proton-my").count())
    assert malaysian[0] > 0 and malaysian[1] >= 3
    assert (small_demo.assessments - malaysian[0], small_demo.rankings - malaysian[1]) == (3 * 5 + 5, 4)  # 3 months
    # × 5 visited, 5 now; 3 + v2
    with unscoped():
        codes = set(Dealer.objects.filter(network__slug="aurora-mx").values_list("code", flat=True))
        current = list(Ranking.objects.filter(network__slug="aurora-mx", is_current=True).order_by("month"))
    assert [ranking.month for ranking in current] == PAST_MONTHS
    for ranking in current:
        lines = _lines(ranking.month)
        assert set(lines) == codes
        # One outlet in twenty is not visited in a month (at least one): it is listed as such, without a rank.
        statuses = Counter(status for status, *_ in lines.values())
        assert statuses == {EntryStatus.RATED: 5, EntryStatus.NOT_ASSESSED: 1}, ranking.month
        assert sorted(line[5] for line in lines.values() if line[0] == EntryStatus.RATED) == [1, 2, 3, 4, 5]
    # Published as the monthly task would have: on the 1st of the next month at 03:00 in Mexico City.
    assert current[1].published_at == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def test_dealers_rise_and_fall_from_month_to_month(small_demo):
    movements = []
    for earlier, later in zip(PAST_MONTHS, PAST_MONTHS[1:], strict=False):
        before, after = _lines(earlier), _lines(later)
        for code, line in after.items():
            assert line[6] == before[code][5], (later, code)  # "last month" is last month's published rank
            if line[5] is not None and line[6] is not None:
                movements.append(line[6] - line[5])
    assert any(movement > 0 for movement in movements)
    assert any(movement < 0 for movement in movements)


def test_one_month_is_republished_after_a_corrected_assessment(small_demo):
    with unscoped():
        versions = list(Ranking.objects.filter(network__slug="aurora-mx", month=PAST_MONTHS[0]).order_by("version"))
        assert [(ranking.version, ranking.is_current) for ranking in versions] == [(1, False), (2, True)]
        first, second = ({line.dealer_id: line for line in ranking.entries.select_related("dealer")}
                         for ranking in versions)
        corrected = [line for dealer_id, line in second.items() if line.poe != first[dealer_id].poe]
        assert len(corrected) == 1
        dealer = corrected[0].dealer
        assert corrected[0].poe > first[dealer.pk].poe
        assert versions[1].reason == f"POE of {dealer.name} corrected after the regional review."
        assessment = Assessment.objects.get(dealer=dealer, month=PAST_MONTHS[0], is_self_assessment=False)
        assert list(assessment.events.values_list("action", flat=True)) == ["submitted", "reopened", "submitted"]
        assert assessment.events.get(action="reopened").reason.startswith("The regional review found items ")


def test_this_month_has_assessments_in_progress_and_self_assessments(small_demo):
    with unscoped():
        now = Counter(Assessment.objects.filter(dealer__network__slug="aurora-mx", month=date(2026, 11, 1))
                      .values_list("is_self_assessment", "status"))
        past = Assessment.objects.filter(dealer__network__slug="aurora-mx", month__lt=date(2026, 11, 1))
        assert set(past.values_list("status", "is_self_assessment")) == {(AssessmentStatus.SUBMITTED, False)}
        # Every item of the shipped POE checklist (14) is scored or marked not applicable.
        assert {assessment.scores.count() for assessment in past} == {14}
        assert past.filter(scores__not_applicable=True).exists()
    assert now == {(False, AssessmentStatus.DRAFT): 3, (True, AssessmentStatus.SUBMITTED): 1,
                   (True, AssessmentStatus.DRAFT): 1}


def test_the_same_seed_publishes_the_same_rankings():
    _build_small_demo()
    first = [_lines(month) for month in PAST_MONTHS]
    with unscoped():
        SeedDemo._delete_demo()
        assert not Ranking.objects.exists()
    _build_small_demo()
    assert [_lines(month) for month in PAST_MONTHS] == first
