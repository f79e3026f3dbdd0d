from django.contrib import admin

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin

from .models import ChecklistTemplate


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyTenantAdmin):
    """Checklists change by importing a new version (past assessments keep theirs); here they are read."""

    list_display = ["name", "code", "kind", "version", "is_current", "network"]
    list_filter = ["kind", "is_current", "network"]
