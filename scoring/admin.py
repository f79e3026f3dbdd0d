from django.contrib import admin

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin

from .models import Assessment, ChecklistTemplate


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyTenantAdmin):
    """Checklists change by importing a new version (past assessments keep theirs); here they are read."""

    list_display = ["name", "code", "kind", "version", "is_current", "network"]
    list_filter = ["kind", "is_current", "network"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyTenantAdmin):
    """Assessments are scored, submitted and reopened through their services (which keep the history)."""

    list_display = ["dealer", "template", "month", "is_self_assessment", "status", "submitted_at"]
    list_filter = ["status", "is_self_assessment"]
    list_select_related = ["dealer", "template"]
