from django.contrib import admin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin, TenantScopedAdmin, TranslatedContentAdmin
from outbox.models import Email

from .models import (
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    Compliment,
    DailyLogDelivery,
    ImprovementPlan,
    StandardAnswer,
    TimelineEntry,
)


@admin.register(ComplaintPolicy)
class ComplaintPolicyAdmin(TenantScopedAdmin):
    """Network admins set their network's time limits here."""

    list_display = ["network", "first_contact_hours", "reply_limit_hours", "escalation_step_hours",
                    "on_hold_followup_days"]


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(TranslatedContentAdmin):
    """The network's two-level taxonomy, maintained by its network admins in the network's languages."""

    list_display = ["__str__", "network", "is_active"]
    list_filter = ["is_active", "network"]
    search_fields = ["name", "parent__name"]


@admin.register(StandardAnswer)
class StandardAnswerAdmin(TranslatedContentAdmin):
    """The knowledge base of approved answers (seed 002), maintained by network admins in the network's
    languages."""

    list_display = ["title", "category", "network", "is_active"]
    list_filter = ["is_active", "network"]
    search_fields = ["title", "body"]


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    fields = ["at", "kind", "author", "channel", "body", "from_state", "to_state"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyTenantAdmin):
    """Complaints are worked through the recovery process, which keeps the timeline; here they are read."""

    list_display = ["reference", "dealer", "customer", "department", "state", "received_at", "representative"]
    list_filter = ["state", "department", "severity"]
    search_fields = ["reference", "customer__name"]
    list_select_related = ["dealer", "customer", "representative"]
    inlines = [TimelineInline]


@admin.register(Compliment)
class ComplimentAdmin(TenantScopedAdmin):
    list_display = ["received_at", "dealer", "department", "person", "channel"]
    list_filter = ["department", "channel"]
    list_select_related = ["dealer", "person"]


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(TenantScopedAdmin):
    list_display = ["category", "dealer", "owner", "due_date", "status"]
    list_filter = ["status"]
    list_select_related = ["category", "dealer", "owner"]
    raw_id_fields = ["owner", "created_by"]


@admin.register(DailyLogDelivery)
class DailyLogDeliveryAdmin(ReadOnlyTenantAdmin):
    """Evidence that each manager received the daily complaint log (c.3.2): claimed when, and whether it went out."""

    list_display = ["day", "dealer", "manager", "department", "claimed_at", "email_delivery"]
    list_filter = ["department", "emails__status"]
    list_select_related = ["dealer", "manager"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("emails", queryset=Email.objects.select_related("dealer")))

    @admin.display(description=_("claimed"), ordering="sent_at")
    def claimed_at(self, delivery):
        return delivery.sent_at

    @admin.display(description=_("email"))
    def email_delivery(self, delivery):
        return delivery.email.delivery_note if delivery.email else "—"
