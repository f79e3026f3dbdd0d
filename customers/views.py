from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dealer_portal.tenancy.decorators import dealer_page

from .forms import VehicleForm
from .models import Customer
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


@dealer_page
def vehicle_create(request, dealer):
    form = VehicleForm(request.POST or None, dealer=dealer, initial={"customer": request.GET.get("customer")})
    if request.method == "POST" and form.is_valid():
        vehicle = form.save()
        messages.success(request, _("Vehicle %(vehicle)s added.") % {"vehicle": vehicle})
        return redirect("customer_detail", dealer.network.slug, dealer.code, vehicle.customer_id)
    return render(request, "customers/vehicle_form.html", {"dealer": dealer, "form": form},
                  status=400 if request.method == "POST" else 200)
