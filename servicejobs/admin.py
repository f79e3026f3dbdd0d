from django.contrib import admin

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin, TenantScopedAdmin

from .models import PromisedTimeChange, PromisePolicy, SalesHandover, ServiceJob


@admin.register(PromisePolicy)
class PromisePolicyAdmin(TenantScopedAdmin):
    """Network admins set their network's tolerances here."""

    list_display = ["network", "greeting_tolerance_minutes", "ready_tolerance_minutes", "repeat_repair_days",
                    "followup_first_day", "followup_last_day"]


class PromisedTimeChangeInline(admin.TabularInline):
    model = PromisedTimeChange
    extra = 0
    fields = ["previous_at", "new_at", "reason", "customer_told_at", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceJob)
class ServiceJobAdmin(ReadOnlyTenantAdmin):
    """Jobs are recorded through the board and the API (which check the order of steps); here they are read."""

    list_display = ["number", "dealer", "customer", "status", "appointment_at", "delivered_at", "advisor"]
    list_filter = ["status", "work_category"]
    search_fields = ["number", "customer__name", "vehicle__vin", "vehicle__plate"]
    list_select_related = ["dealer", "customer", "advisor"]
    inlines = [PromisedTimeChangeInline]


@admin.register(SalesHandover)
class SalesHandoverAdmin(TenantScopedAdmin):
    list_display = ["vehicle", "customer", "dealer", "promised_delivery_date", "delivered_at", "sales_consultant"]
    list_select_related = ["vehicle", "customer", "dealer", "sales_consultant"]
    raw_id_fields = ["customer", "vehicle", "sales_consultant"]
