"""People see the network's content in their language on its pages, exports and API; admins write the
translations in the admin and the API; a checklist's translations survive export and import."""

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services as complaint_services
from complaints.models import ComplaintCategory, StandardAnswer
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from scoring.models import ChecklistItem, ChecklistTemplate, Kpi
from scoring.selectors import checklist_export
from scoring.services import assessment_start, checklist_import, kpi_defaults_install
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bilingual(network):
    """The test network writes in English and Spanish, English first."""
    network.content_languages = ["es"]
    network.save(update_fields=["content_languages"])
    return network


def reading_in(client, user, language):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture
def late(bilingual):
    area = ComplaintCategory.objects.create(network=bilingual, name="Service",
                                            translations={"es": {"name": "Servicio"}})
    return ComplaintCategory.objects.create(network=bilingual, parent=area, name="Delivery time",
                                            translations={"es": {"name": "Tiempo de entrega"}})


@pytest.fixture
def complaint(late, dealer, representative):
    customer = factories.CustomerFactory(dealer=dealer)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        return complaint_services.complaint_log(dealer=dealer, customer=customer, department="service",
                                                channel="phone", words="The car was late", category=late)


def test_a_spanish_reader_sees_the_category_and_standard_answer_in_spanish(client, representative, dealer,
                                                                            complaint, late):
    StandardAnswer.objects.create(network=dealer.network, category=late, title="Car not ready on time",
                                  body="We are sorry your car was late.",
                                  translations={"es": {"title": "Retraso en la entrega del vehículo",
                                                       "body": "Lamentamos que su vehículo no estuviera listo."}})
    reading_in(client, representative, "es")
    queue = client.get(reverse("complaint_queue", args=[dealer.network.slug, dealer.code])).content.decode()
    assert "Servicio › Tiempo de entrega" in queue and "Delivery time" not in queue
    detail = client.get(complaint.get_absolute_url()).content.decode()
    assert "Servicio › Tiempo de entrega" in detail
    assert "Retraso en la entrega del vehículo" in detail and "Lamentamos que su vehículo" in detail
    assert "Car not ready on time" not in detail


def test_an_english_reader_sees_the_networks_default_text(client, representative, dealer, complaint):
    reading_in(client, representative, "en")
    detail = client.get(complaint.get_absolute_url()).content.decode()
    assert "Service › Delivery time" in detail and "Tiempo de entrega" not in detail


def test_hqs_recurring_categories_are_named_in_the_readers_language(client, hq, complaint):
    reading_in(client, hq, "es")
    page = client.get(reverse("network_complaints", args=[complaint.dealer.network.slug])).content.decode()
    assert "Servicio › Tiempo de entrega (1)" in page


@pytest.fixture
def poe(bilingual):
    data = {"code": "poe", "kind": "poe", "name": "POE", "sections": [
        {"code": "SP", "title": "Service process", "translations": {"es": {"title": "Proceso de servicio"}},
         "items": [{"code": "SP.1", "text": "Customers are welcomed at the agreed time.", "max_points": 10,
                    "translations": {"es": {"text": "El cliente es recibido a la hora acordada."}}}]}]}
    with tenant_scope(TenantScope.for_network(bilingual.pk)):
        return checklist_import(network=bilingual, data=data)


def test_a_spanish_auditor_scores_the_checklist_in_spanish(client, hq, dealer, poe):
    with tenant_scope(TenantScope.for_dealer(dealer)):
        assessment = assessment_start(dealer=dealer, template=poe, month=timezone.localdate().replace(day=1), by=hq)
    reading_in(client, hq, "es")
    page = client.get(reverse("scoring_assessment", args=[dealer.network.slug, dealer.code, assessment.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Proceso de servicio" in text and "El cliente es recibido a la hora acordada." in text
    assert "Customers are welcomed" not in text


def test_the_kpi_names_on_the_scorecard_and_its_export_follow_the_reader(client, hq, dealer, bilingual):
    with tenant_scope(TenantScope.for_network(bilingual.pk)):
        kpi_defaults_install(network=bilingual)
        Kpi.objects.filter(code="greeting").update(translations={"es": {"name": "Clientes recibidos a tiempo"}})
    reading_in(client, hq, "es")
    args = [bilingual.slug, dealer.code]
    page = client.get(reverse("scoring_scorecard", args=args)).content.decode()
    assert "Clientes recibidos a tiempo" in page
    assert "Customers greeted within tolerance" not in page
    exported = client.get(reverse("scoring_scorecard_export", args=[*args, "csv"])).content.decode("utf-8-sig")
    assert "Clientes recibidos a tiempo" in exported


def test_the_api_gives_the_default_text_and_the_translations(api_as, advisor, late):
    body = api_as(advisor).get(reverse("complaint-category-list")).json()["results"]
    leaf = next(row for row in body if row["id"] == late.pk)
    assert (leaf["name"], leaf["translations"]) == ("Delivery time", {"es": {"name": "Tiempo de entrega"}})


KPI_ROW = {"code": "greeting", "measure": "greeted_on_time", "focus_area": 1, "category": "speed",
           "target": 90, "weight": 100}


def test_a_kpi_name_translation_goes_through_the_api_and_comes_back(api_as, network_admin, bilingual):
    api = api_as(network_admin)
    row = {**KPI_ROW, "name": "Greeted on time", "translations": {"es": {"name": "Recibidos a tiempo"}}}
    saved = api.put(reverse("kpi-set"), {"kpis": [row]}, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["kpis"][0]["translations"] == {"es": {"name": "Recibidos a tiempo"}}
    assert api.get(reverse("kpi-set")).json()["kpis"][0]["translations"] == {"es": {"name": "Recibidos a tiempo"}}


@pytest.mark.parametrize(("translations", "problem"), [
    ({"de": {"name": "Pünktlich"}}, "de is not one of the network's content languages"),
    ({"es": {"measure": "x"}}, "es: measure cannot be translated"),
])
def test_a_translation_into_a_language_the_network_does_not_write_is_a_400(api_as, network_admin, bilingual,
                                                                           translations, problem):
    refused = api_as(network_admin).put(reverse("kpi-set"), {"kpis": [{**KPI_ROW, "translations": translations}]},
                                        format="json")
    assert refused.status_code == 400
    assert problem in " ".join(refused.json()["errors"]["kpis[0].translations"])
    with unscoped():
        assert not Kpi.objects.exists()


def test_a_checklist_import_with_a_translation_the_network_cannot_hold_is_a_400(api_as, network_admin, bilingual):
    data = {"code": "prc", "kind": "prc", "name": "PRC", "sections": [
        {"code": "G", "title": "General", "translations": {"de": {"title": "Allgemein"}},
         "items": [{"code": "G.1", "text": "Documented.", "max_points": 10}]}]}
    refused = api_as(network_admin).post(reverse("checklist-list"), data, format="json")
    assert refused.status_code == 400
    assert "de is not one of the network's content languages" in str(refused.json())
    with unscoped():
        assert not ChecklistTemplate.objects.exists()


def test_export_then_import_keeps_the_translations(api_as, network_admin, poe):
    api = api_as(network_admin)
    exported = api.get(reverse("checklist-export", args=[poe.pk])).json()
    assert exported["sections"][0]["translations"] == {"es": {"title": "Proceso de servicio"}}
    imported = api.post(reverse("checklist-list"), exported, format="json")
    assert imported.status_code == 201, imported.json()
    with unscoped():
        again = ChecklistTemplate.objects.get(code="poe", version=2)
        item = ChecklistItem.objects.get(section__template=again)
        assert checklist_export(again)["sections"] == exported["sections"]
    assert item.translations == {"es": {"text": "El cliente es recibido a la hora acordada."}}


def test_a_network_admin_writes_a_translation_in_the_admin(client, network_admin, late):
    client.force_login(network_admin)
    url = reverse("admin:complaints_complaintcategory_change", args=[late.pk])
    form = client.get(url).content.decode()
    assert 'name="translation__es__name"' in form and 'value="Tiempo de entrega"' in form
    assert 'name="translation__fi__name"' not in form  # not a language of this network
    response = client.post(url, {"network": late.network_id, "parent": late.parent_id, "name": "Delivery time",
                                 "is_active": "on", "translation__es__name": "Entrega tardía"})
    assert response.status_code == 302, response.content.decode()[:3000]
    with unscoped():
        late.refresh_from_db()
    assert late.translations == {"es": {"name": "Entrega tardía"}}


def test_a_network_admin_translates_a_checklist_item_but_cannot_change_its_points(client, network_admin, poe):
    with unscoped():
        item = ChecklistItem.objects.get(section__template=poe)
    client.force_login(network_admin)
    url = reverse("admin:scoring_checklistitem_change", args=[item.pk])
    response = client.post(url, {"translation__es__text": "Recibido a la hora acordada.", "max_points": 50,
                                 "translation__es__guidance": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    with unscoped():
        item.refresh_from_db()
    assert (item.translations, item.max_points) == ({"es": {"text": "Recibido a la hora acordada."}}, 10)


# --- After the network's languages change ---------------------------------------------------------------------


def test_after_the_network_drops_a_language_the_admin_saves_a_category_and_the_stale_translation_goes(
        client, network_admin, late):
    network = late.network
    with unscoped():
        ComplaintCategory.objects.filter(pk=late.pk).update(translations={"es": {"name": "Tiempo de entrega"},
                                                                          "fi": {"name": "Toimitusaika"}})
    url = reverse("admin:complaints_complaintcategory_change", args=[late.pk])
    client.force_login(network_admin)
    response = client.post(url, {"network": network.pk, "parent": late.parent_id, "name": "Delivery time",
                                 "is_active": "on", "translation__es__name": "Tiempo de entrega"})
    assert response.status_code == 302, response.content.decode()[:3000]
    with unscoped():
        late.refresh_from_db()
    assert late.translations == {"es": {"name": "Tiempo de entrega"}}


def test_after_the_network_starts_writing_in_spanish_the_admin_saves_a_category(client, network_admin, late):
    network = late.network
    network.default_language, network.content_languages = "es", ["en"]
    network.save(update_fields=["default_language", "content_languages"])
    client.force_login(network_admin)
    url = reverse("admin:complaints_complaintcategory_change", args=[late.pk])
    response = client.post(url, {"network": network.pk, "parent": late.parent_id, "name": "Tiempo de entrega",
                                 "is_active": "on", "translation__en__name": "Delivery time"})
    assert response.status_code == 302, response.content.decode()[:3000]
    with unscoped():
        late.refresh_from_db()
    assert (late.name, late.translations) == ("Tiempo de entrega", {"en": {"name": "Delivery time"}})


def test_after_the_network_drops_a_language_the_kpi_set_saves_on_the_settings_page(client, network_admin,
                                                                                    bilingual):
    with unscoped():
        kpi_defaults_install(network=bilingual)
        kept = Kpi.objects.filter(network=bilingual).order_by("position").first()
        assert kept.translations.get("es")
    bilingual.content_languages = []
    bilingual.save(update_fields=["content_languages"])
    client.force_login(network_admin)
    url = reverse("scoring_settings", args=[bilingual.slug])
    page = client.get(url)
    forms = page.context["kpi_formset"].forms
    data = {"action": "kpis", **{f"kpis-{key}": value
                                 for key, value in page.context["kpi_formset"].management_form.initial.items()}}
    for form in forms:
        for name in ("code", "name", "measure", "focus_area", "category", "target", "weight"):
            data[form.add_prefix(name)] = form.initial[name]
        data[form.add_prefix("translations")] = form["translations"].value()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with unscoped():
        assert all(kpi.translations == {} for kpi in Kpi.objects.filter(network=bilingual))


def test_a_kpi_translation_error_shows_on_the_settings_page(client, network_admin, bilingual):
    client.force_login(network_admin)
    url = reverse("scoring_settings", args=[bilingual.slug])
    data = {"action": "kpis", "kpis-TOTAL_FORMS": "1", "kpis-INITIAL_FORMS": "0", "kpis-MIN_NUM_FORMS": "0",
            "kpis-MAX_NUM_FORMS": "1000", **{f"kpis-0-{name}": value for name, value in KPI_ROW.items()},
            "kpis-0-translations": '{"de": {"name": "Pünktlich"}}'}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "de is not one of the network" in response.content.decode()


def test_after_the_network_drops_a_language_the_kpi_set_comes_back_through_the_api(api_as, network_admin,
                                                                                     bilingual):
    with unscoped():
        kpi_defaults_install(network=bilingual)
    bilingual.content_languages = []
    bilingual.save(update_fields=["content_languages"])
    api = api_as(network_admin)
    read = api.get(reverse("kpi-set")).json()
    assert any(row["translations"] for row in read["kpis"])
    saved = api.put(reverse("kpi-set"), {"kpis": read["kpis"]}, format="json")
    assert saved.status_code == 200, saved.json()
    assert all(row["translations"] == {} for row in saved.json()["kpis"])


def test_a_spanish_checklist_imported_into_a_finnish_network_is_rebased(api_as, network, other_network):
    with unscoped():
        network.default_language, network.content_languages = "es", ["en", "fi"]
        network.save()
        other_network.default_language, other_network.content_languages = "fi", ["es"]
        other_network.save()
        spanish = checklist_import(network=network, data={"code": "poe", "kind": "poe", "name": "POE", "sections": [
            {"code": "S", "title": "Proceso de servicio", "translations": {"fi": {"title": "Huoltoprosessi"}},
             "items": [{"code": "S.1", "text": "El cliente es recibido.", "max_points": 10,
                        "translations": {"en": {"text": "The customer is greeted."}}}]}]})
        exported = checklist_export(spanish)
        assert exported["language"] == "es"
        finnish = checklist_import(network=other_network, data=exported)
        item = ChecklistItem.objects.select_related("section").get(section__template=finnish)
    # Finnish readers see the Finnish title (the default); Spanish stays the Spanish translation.
    assert (item.section.title, item.section.translations) == ("Huoltoprosessi",
                                                               {"es": {"title": "Proceso de servicio"}})
    # The item has no Finnish text: the Spanish one is kept as the default, and the import says so.
    assert (item.text, item.translations) == ("El cliente es recibido.", {"es": {"text": "El cliente es recibido."}})
    assert finnish.import_warnings and "Spanish" in finnish.import_warnings[0]
    with unscoped():
        again = checklist_import(network=network, data=checklist_export(spanish))
    assert again.import_warnings == []
