"""A customer's data rights at their dealer: download everything held about them (JSON or a printable page), and
erase them after a confirm step. Another dealer's customer is a 404; other roles get a 403."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.decorators import dealer_page

from . import services
from .access import DATA_RIGHTS_ROLES
from .export import export_json, export_sections
from .forms import CustomerEraseForm
from .selectors import customer_erasure, customer_records


def _download(content: str, *, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@dealer_page(roles=DATA_RIGHTS_ROLES)
def customer_data_export(request, dealer, pk: int, file_format: str):
    customer = get_object_or_404(Customer.objects.select_related("dealer"), pk=pk)
    records = customer_records(customer)
    services.customer_export_record(customer=customer, by=request.user, records=records)
    now = timezone.now()
    name = f"customer-{dealer.code}-{customer.pk}-{now:%Y%m%d}.{file_format}"
    if file_format == "json":
        return _download(export_json(records, now=now), content_type="application/json; charset=utf-8", name=name)
    page = render_to_string("datarights/customer_export.html", {
        "dealer": dealer, "customer": customer, "sections": export_sections(records), "now": now,
        "by": request.user}, request=request)
    return _download(page, content_type="text/html; charset=utf-8", name=name)


@dealer_page(roles=DATA_RIGHTS_ROLES)
def customer_data_erase(request, dealer, pk: int):
    customer = get_object_or_404(Customer.objects.select_related("dealer"), pk=pk)
    erasure = customer_erasure(customer)
    form = CustomerEraseForm(request.POST or None, customer=customer)
    if request.method == "POST" and erasure is None and form.is_valid():
        try:
            services.customer_erase(customer=customer, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("The customer's personal data was erased; their records stay, anonymous."))
            return redirect("customer_detail", dealer.network.slug, dealer.code, customer.pk)
    if request.method == "POST" and erasure is not None:
        return redirect("customer_detail", dealer.network.slug, dealer.code, customer.pk)
    return render(request, "datarights/customer_erase.html",
                  {"dealer": dealer, "customer": customer, "form": form, "erasure": erasure},
                  status=400 if request.method == "POST" else 200)
