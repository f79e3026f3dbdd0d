"""Customer pages: search, a customer with their cars, and adding or editing a customer or a car."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.decorators import dealer_page

from . import services
from .forms import CustomerForm, VehicleForm
from .models import Customer, Vehicle
from .selectors import customer_search


@dealer_page
def customer_list(request, dealer):
    query = request.GET.get("q", "")
    customers = customer_search(query=query)[:100]
    return render(request, "customers/customer_list.html", {"dealer": dealer, "customers": customers, "q": query})


@dealer_page
def customer_detail(request, dealer, pk: int):
    customer = get_object_or_404(Customer.objects.prefetch_related("vehicles"), pk=pk)
    return render(request, "customers/customer_detail.html", {"dealer": dealer, "customer": customer})


def _customer_page(request, dealer, *, customer: Customer | None):
    # A new customer starts in the network's language (changeable here, like every field).
    initial = {"language": dealer.network.default_language} if customer is None else None
    form = CustomerForm(request.POST or None, instance=customer, initial=initial)
    form.instance.dealer = dealer
    if request.method == "POST" and form.is_valid():
        try:
            if customer is None:
                saved = services.customer_create(dealer=dealer, **form.cleaned_data)
            else:
                saved = services.customer_update(customer=customer, **form.cleaned_data)
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Customer %(name)s saved.") % {"name": saved.name})
            return redirect("customer_detail", dealer.network.slug, dealer.code, saved.pk)
    return render(request, "customers/customer_form.html", {"dealer": dealer, "form": form, "customer": customer},
                  status=400 if request.method == "POST" else 200)


@dealer_page
def customer_create(request, dealer):
    return _customer_page(request, dealer, customer=None)


@dealer_page
def customer_update(request, dealer, pk: int):
    return _customer_page(request, dealer, customer=get_object_or_404(Customer, pk=pk))


def _vehicle_page(request, dealer, *, vehicle: Vehicle | None):
    initial = {"customer": request.GET.get("customer")} if vehicle is None else None
    form = VehicleForm(request.POST or None, instance=vehicle, dealer=dealer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if vehicle is None:
                saved = services.vehicle_create(dealer=dealer, **form.cleaned_data)
            else:
                saved = services.vehicle_update(vehicle=vehicle, **form.cleaned_data)
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            message = _("Vehicle %(vehicle)s added.") if vehicle is None else _("Vehicle %(vehicle)s saved.")
            messages.success(request, message % {"vehicle": saved})
            return redirect("customer_detail", dealer.network.slug, dealer.code, saved.customer_id)
    return render(request, "customers/vehicle_form.html", {"dealer": dealer, "form": form, "vehicle": vehicle},
                  status=400 if request.method == "POST" else 200)


@dealer_page
def vehicle_create(request, dealer):
    return _vehicle_page(request, dealer, vehicle=None)


@dealer_page
def vehicle_update(request, dealer, pk: int):
    return _vehicle_page(request, dealer, vehicle=get_object_or_404(Vehicle, pk=pk))
