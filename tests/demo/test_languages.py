"""Every platform language can be seen with real demo data: Aurora works in Spanish, Borealis in Finnish, and
the small Malaysian network in Malay with its content also in English and Chinese."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from complaints.models import Complaint, ComplaintCategory
from customers.models import Customer
from dealer_portal.tenancy.content import localized
from dealer_portal.tenancy.models import Network
from dealer_portal.tenancy.scoping import unscoped
from followups.models import FollowUpCall
from scoring.models import Assessment, ChecklistSection, Ranking

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", "--dealers", "4", "--months", "2")


def test_each_network_and_its_people_speak_their_language(demo):
    with unscoped():
        languages = {network.slug: (network.default_language, network.content_languages)
                     for network in Network.objects.all()}
        assert languages == {"aurora-mx": ("es", ["en"]), "borealis-fi": ("fi", ["en"]),
                             "proton-my": ("ms", ["en", "zh-hans"])}
        assert set(User.objects.filter(email__endswith="@demo.test").values_list("language", flat=True)) == {"es"}
        assert User.objects.get(email="rep@proton.test").language == "ms"
        assert User.objects.get(email="analyst@proton.test").language == "zh-hans"
        assert set(Customer.objects.filter(dealer__network__slug="proton-my")
                   .values_list("language", flat=True)) == {"ms"}
        spanish = ComplaintCategory.objects.filter(network__slug="aurora-mx", parent__isnull=True)
        assert set(spanish.values_list("name", flat=True)) == {"Servicio", "Ventas", "Refacciones", "Atención"}
        finnish = ChecklistSection.objects.get(template__network__slug="borealis-fi", template__code="poe", code="SP")
        assert finnish.title == "Huoltoprosessi"


def test_the_malaysian_network_has_a_little_of_every_workflow(demo):
    with unscoped():
        malaysia = {"dealer__network__slug": "proton-my"}
        assert FollowUpCall.objects.filter(**malaysia).exists()
        assert Complaint.objects.filter(**malaysia).exists()
        assert Assessment.objects.filter(**malaysia).exists()
        assert Ranking.objects.filter(network__slug="proton-my").exists()
        complaint = Complaint.objects.filter(**malaysia, category__isnull=False).select_related("category").first()
        assert localized(complaint.category, "name", "zh-hans") != complaint.category.name


def test_the_chinese_analyst_reads_the_malaysian_scorecard_in_chinese(demo, client):
    with unscoped():
        analyst = User.objects.get(email="analyst@proton.test")
    client.force_login(analyst)
    page = client.get(reverse("scoring_scorecard", args=["proton-my", "SHA-001"]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "预约客户准时接待率" in page  # the greeting KPI
    assert "Pelanggan disambut" not in page
