from django.contrib import admin

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin

from .models import DataRightsAction


@admin.register(DataRightsAction)
class DataRightsActionAdmin(ReadOnlyTenantAdmin):
    list_display = ["at", "kind", "customer_id", "by", "dealer"]
    list_filter = ["kind"]
    list_select_related = ["by", "dealer"]
