"""The one scoping mechanism: no scope raises, every scope sees only what it grants."""

import pytest

from customers.models import Customer, Vehicle
from dealer_portal.tenancy.models import Dealer, DealerOwnedModel, Membership, Network, Region
from dealer_portal.tenancy.scoping import (
    TenantManager,
    TenantScope,
    TenantScopeMissing,
    tenant_cache_key,
    tenant_models,
    tenant_scope,
    unscoped,
)
from tests import factories

pytestmark = pytest.mark.django_db

# Every model that holds a dealer's business data, or a network's. A new dealer-owned model that is
# not scoped fails test_every_dealer_owned_model_is_scoped below.
EXPECTED_SCOPED = {"tenancy.Network", "tenancy.Region", "tenancy.Dealer", "tenancy.Membership",
                   "accounts.Invitation", "customers.Customer", "customers.Vehicle"}


def _label(model):
    return f"{model._meta.app_label}.{model.__name__}"


def test_every_dealer_owned_model_is_scoped():
    from django.apps import apps

    scoped = {_label(model) for model in tenant_models()}
    assert scoped >= EXPECTED_SCOPED
    for model in apps.get_models():
        field_names = {f.name for f in model._meta.get_fields()}
        if "dealer" in field_names or "network" in field_names:
            assert isinstance(model._default_manager, TenantManager), f"{_label(model)} is not tenant-scoped"


@pytest.mark.parametrize("model", list(tenant_models()), ids=_label)
def test_query_without_a_scope_raises(model):
    queryset = model.objects.all()
    with pytest.raises(TenantScopeMissing):
        list(queryset)
    with pytest.raises(TenantScopeMissing):
        model.objects.count()
    with pytest.raises(TenantScopeMissing):
        model.objects.filter(pk=1).exists()
    with pytest.raises(TenantScopeMissing):
        model.objects.filter(pk=1).update(pk=1)
    with pytest.raises(TenantScopeMissing):
        model.objects.filter(pk=1).delete()
    # Used as a subquery inside a scoped query, it still refuses: it carries no tenant filter.
    with tenant_scope(TenantScope.everything()), pytest.raises(TenantScopeMissing):
        list(Dealer.objects.filter(pk__in=queryset.values("pk")))


def test_a_queryset_built_outside_a_scope_keeps_refusing_inside_one(dealer):
    built_at_import_time = Customer.objects.all()
    with tenant_scope(TenantScope.for_dealer(dealer)), pytest.raises(TenantScopeMissing):
        list(built_at_import_time)


def test_dealer_scope_sees_only_its_dealers_rows(dealer, other_dealer, foreign_dealer):
    mine = factories.CustomerFactory(dealer=dealer, name="Mine")
    factories.CustomerFactory(dealer=other_dealer, name="Neighbour's")
    factories.CustomerFactory(dealer=foreign_dealer, name="Foreign")
    with tenant_scope(TenantScope.for_dealer(dealer)):
        assert list(Customer.objects.values_list("name", flat=True)) == ["Mine"]
        assert list(Dealer.objects.all()) == [dealer]
        assert Customer.objects.filter(pk=mine.pk).exists()


def test_network_scope_sees_every_dealer_of_its_network_and_nothing_of_another(
        network, dealer, other_dealer, foreign_dealer):
    factories.CustomerFactory(dealer=dealer)
    factories.CustomerFactory(dealer=other_dealer)
    foreign = factories.CustomerFactory(dealer=foreign_dealer)
    with tenant_scope(TenantScope.for_network(network.pk)):
        assert set(Dealer.objects.all()) == {dealer, other_dealer}
        assert Customer.objects.count() == 2
        assert not Customer.objects.filter(pk=foreign.pk).exists()
        assert list(Network.objects.all()) == [network]


def test_region_scope_sees_only_the_regions_dealers(dealer, other_dealer):
    with tenant_scope(TenantScope(region_ids=frozenset({dealer.region_id}),
                                  member_network_ids=frozenset({dealer.network_id}))):
        assert list(Dealer.objects.all()) == [dealer]


def test_empty_scope_sees_nothing(dealer):
    factories.CustomerFactory(dealer=dealer)
    with tenant_scope(TenantScope.nothing()):
        assert Customer.objects.count() == 0
        assert Dealer.objects.count() == 0
        assert Region.objects.count() == 0


def test_unscoped_is_explicit_and_sees_everything(dealer, foreign_dealer):
    factories.CustomerFactory(dealer=dealer)
    factories.CustomerFactory(dealer=foreign_dealer)
    with unscoped():
        assert Customer.objects.count() == 2
        assert Membership.objects.count() == 0


def test_related_managers_are_scoped_too(dealer, foreign_dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    factories.VehicleFactory(customer=customer)
    with tenant_scope(TenantScope.for_dealer(foreign_dealer)):
        assert customer.vehicles.count() == 0
    with tenant_scope(TenantScope.for_dealer(dealer)):
        assert customer.vehicles.count() == 1


def test_vin_and_phone_may_repeat_at_another_dealer(dealer, foreign_dealer):
    first = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer, phone="+528112345678"))
    second = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=foreign_dealer,
                                                                        phone="+528112345678"), vin=first.vin)
    assert first.vin == second.vin
    with unscoped():
        assert Vehicle.objects.filter(vin=first.vin).count() == 2


def test_cache_keys_carry_the_tenant(dealer, other_dealer):
    assert tenant_cache_key("dealer", dealer.pk, "board") != tenant_cache_key("dealer", other_dealer.pk, "board")
    assert str(dealer.pk) in tenant_cache_key("dealer", dealer.pk, "board")


@pytest.mark.parametrize("model", [m for m in tenant_models() if issubclass(m, DealerOwnedModel)], ids=_label)
def test_unique_constraints_and_indexes_lead_with_the_dealer(model):
    from django.db.models import UniqueConstraint

    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            assert constraint.fields[0] == "dealer", f"{constraint.name} does not lead with the dealer"
    for index in model._meta.indexes:
        assert index.fields[0] == "dealer", f"{index.name} does not lead with the dealer"
    for field in model._meta.fields:
        assert not (field.unique and not field.primary_key), f"{model.__name__}.{field.name} is globally unique"
