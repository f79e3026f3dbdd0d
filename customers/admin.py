from django.contrib import admin

from dealer_portal.tenancy.admin import TenantScopedAdmin

from .models import Customer, Vehicle


class VehicleInline(admin.TabularInline):
    model = Vehicle
    extra = 0
    fields = ["vin", "plate", "make", "model", "handover_date"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(TenantScopedAdmin):
    list_display = ["name", "phone", "email", "dealer", "do_not_contact"]
    list_filter = ["do_not_contact", "language"]
    search_fields = ["name", "phone", "email"]
    list_select_related = ["dealer"]
    inlines = [VehicleInline]


@admin.register(Vehicle)
class VehicleAdmin(TenantScopedAdmin):
    list_display = ["vin", "plate", "make", "model", "customer", "dealer"]
    search_fields = ["vin", "plate", "customer__name"]
    list_select_related = ["customer", "dealer"]
    raw_id_fields = ["customer"]
