"""The page where a dealer's staff upload a DMS export (CSV) of service jobs and read what the import did."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from dealer_portal.errors import BackgroundUnavailable
from dealer_portal.forms import PortalForm, add_service_errors
from dealer_portal.tenancy.decorators import dealer_page
from dealer_portal.tenancy.models import Role

from . import imports, services
from .models import JobImport, JobStatus, WorkCategory

IMPORT_ROLES = (Role.SERVICE_ADVISOR, Role.DEALER_MANAGER, Role.NETWORK_ADMIN)


class JobImportForm(PortalForm):
    file = forms.FileField(label=_("CSV file from the dealer management system"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before it is read: a huge upload never reaches memory.
        size_error = imports.file_size_error(upload.size)
        if size_error:
            raise forms.ValidationError(size_error)
        return upload


def _page_context(dealer, form, job_import=None) -> dict:
    return {
        "dealer": dealer, "form": form, "job_import": job_import,
        "recent": JobImport.objects.select_related("uploaded_by").defer("data")[:10],
        "required_columns": imports.REQUIRED_COLUMNS, "optional_columns": imports.OPTIONAL_COLUMNS,
        "work_categories": WorkCategory.values, "statuses": JobStatus.values,
        "max_size": imports.megabytes(imports.MAX_FILE_BYTES), "max_rows": imports.MAX_ROWS,
    }


@dealer_page(roles=IMPORT_ROLES)
def job_import(request, dealer):
    """GET: the upload form. POST: checks the file at once (400 with the reason if refused) and queues it; if
    the background service is down, the file waits in the list and the page says so."""
    form = JobImportForm(request.POST, request.FILES) if request.method == "POST" else JobImportForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job_import = services.job_import_start(dealer=dealer, data=upload.read(), file_name=upload.name,
                                                   by=request.user)
        except ValidationError as problem:
            add_service_errors(form, problem)
        except BackgroundUnavailable as unavailable:  # the file is saved and waits in the list of uploads
            messages.warning(request, unavailable.message)
            return redirect("job_import", dealer.network.slug, dealer.code)
        else:
            return redirect("job_import_detail", dealer.network.slug, dealer.code, job_import.pk)
    return render(request, "servicejobs/job_import.html", _page_context(dealer, form),
                  status=400 if request.method == "POST" else 200)


@dealer_page(roles=IMPORT_ROLES)
def job_import_detail(request, dealer, pk: int):
    """An upload's progress, then its report; the progress part refreshes itself until the import is done."""
    job_import = get_object_or_404(JobImport.objects.select_related("uploaded_by").defer("data"), pk=pk)
    if request.htmx:
        return render(request, "servicejobs/_import_report.html", {"dealer": dealer, "job_import": job_import})
    return render(request, "servicejobs/job_import.html", _page_context(dealer, JobImportForm(), job_import))
