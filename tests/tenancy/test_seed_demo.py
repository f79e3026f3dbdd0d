"""The demo network: deterministic, complete (every role), and built with bulk inserts."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import User
from customers.models import Customer, Vehicle
from dealer_portal.tenancy.models import Dealer, Membership, Network, Region, Role
from dealer_portal.tenancy.scoping import unscoped

pytestmark = pytest.mark.django_db


def _snapshot():
    with unscoped():
        return (
            list(Dealer.objects.order_by("code").values_list("network__slug", "code", "name", "time_zone")),
            list(Customer.objects.order_by("dealer__code", "name", "phone").values_list("name", "phone")[:50]),
            list(Vehicle.objects.order_by("vin").values_list("vin", "plate")[:50]),
        )


def test_default_demo_has_four_regions_forty_dealers_and_every_role():
    call_command("seed_demo", "--seed", "3")
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
    call_command("seed_demo", "--seed", "11", "--dealers", "8")
    first = _snapshot()
    call_command("seed_demo", "--seed", "11", "--dealers", "8", "--reset")
    assert _snapshot() == first
    call_command("seed_demo", "--seed", "12", "--dealers", "8", "--reset")
    assert _snapshot() != first


def test_running_it_again_changes_nothing(capsys):
    call_command("seed_demo", "--dealers", "4")
    call_command("seed_demo", "--dealers", "4")
    assert "exists already" in capsys.readouterr().out
    with unscoped():
        assert Network.objects.filter(slug="aurora-mx").count() == 1


def test_network_scale_uses_bulk_inserts(django_assert_max_num_queries):
    # 500 dealers, ~1500 users, ~2500 customers, ~3000 vehicles, ~2000 service jobs with ~18,000 promise
    # checks, ~1000 complaints with ~8000 timeline entries, ~2000 follow-up calls with their answers (and
    # their promise-9 checks rewritten): row-by-row would be about 45,000 statements; batches stay in the
    # low hundreds even on SQLite's small batch size (31 job rows of 32 columns fit in one statement, 166
    # promise checks, 99 timeline entries, 58 calls), plus a few dozen for the two networks' checklists.
    with django_assert_max_num_queries(650):
        call_command("seed_demo", "--dealers", "500", "--months", "2")
    with unscoped():
        assert Dealer.objects.filter(network__slug="aurora-mx").count() == 500


def test_bad_arguments_are_refused_with_a_message():
    with pytest.raises(CommandError, match="--dealers must be at least 2"):
        call_command("seed_demo", "--dealers", "0")


def test_documented_demo_accounts_can_log_in(client):
    call_command("seed_demo", "--dealers", "4")
    for email in ("advisor@demo.test", "rep@demo.test", "hq@demo.test", "admin@demo.test",
                  "regional.nte@demo.test", "manager@demo.test"):
        client.logout()
        response = client.post(reverse("account_login"), {"login": email, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get(reverse("home"), follow=True).status_code == 200
