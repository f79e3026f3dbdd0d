from django.contrib import admin

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin, TenantScopedAdmin, TranslationsOnlyAdmin

from .models import (
    Assessment,
    AssessmentEvidence,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Kpi,
    Ranking,
    ScoringPolicy,
)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyTenantAdmin):
    """Checklists change by importing a new version (past assessments keep theirs); here they are read."""

    list_display = ["name", "code", "kind", "version", "is_current", "network"]
    list_filter = ["kind", "is_current", "network"]


@admin.register(ChecklistSection)
class ChecklistSectionAdmin(TranslationsOnlyAdmin):
    """A checklist version's sections: their titles in the network's other languages."""

    list_display = ["__str__", "template"]
    list_filter = ["template__network"]
    list_select_related = ["template"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(TranslationsOnlyAdmin):
    """A checklist version's items: their requirement and guidance in the network's other languages."""

    list_display = ["__str__", "section"]
    list_filter = ["section__template__network"]
    list_select_related = ["section__template"]
    search_fields = ["code", "text"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyTenantAdmin):
    """Assessments are scored, submitted and reopened through their services (which keep the history)."""

    list_display = ["dealer", "template", "month", "is_self_assessment", "status", "submitted_at"]
    list_filter = ["status", "is_self_assessment"]
    list_select_related = ["dealer", "template"]


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(TenantScopedAdmin):
    """The network's weights, minimum sample and star thresholds (validated by the model's clean)."""

    list_display = ["network", "poe_weight", "service_quality_weight", "min_sample", "five_stars_from"]


@admin.register(Kpi)
class KpiAdmin(TranslationsOnlyAdmin):
    """The KPI set changes as a whole (its weights must add up to 100) on the scoring settings page; here its
    names get their translations."""

    list_display = ["name", "code", "measure", "focus_area", "category", "target", "weight", "network"]
    list_filter = ["network", "category", "focus_area"]


@admin.register(Ranking)
class RankingAdmin(ReadOnlyTenantAdmin):
    """Published rankings are immutable; a network admin republishes with a reason from the ranking page."""

    list_display = ["network", "month", "version", "is_current", "published_at", "reason"]
    list_filter = ["network", "is_current"]


@admin.register(AssessmentEvidence)
class AssessmentEvidenceAdmin(ReadOnlyTenantAdmin):
    list_display = ["original_name", "assessment", "content_type", "size", "uploaded_at"]
    list_select_related = ["assessment"]
