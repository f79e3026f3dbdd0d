"""Django admin, scoped like everything else.

Admin requests run in the request's tenant scope (the middleware), so every list, lookup and choice
comes from the scoped managers: a network admin sees and edits their own networks' rows only, and
superusers see everything.
"""

from django.contrib import admin

from .models import Dealer, Membership, Network, Region, Role


class TenantScopedAdmin(admin.ModelAdmin):
    """Network admins manage their networks' rows; everybody else without superuser rights sees nothing."""

    def _may_manage(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or request.tenancy.is_network_admin())

    def has_module_permission(self, request):
        return self._may_manage(request)

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_add_permission(self, request):
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request)


class ReadOnlyTenantAdmin(TenantScopedAdmin):
    """Rows written only through their services (which check the process and keep the history): read here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserCreatesAdmin(TenantScopedAdmin):
    """Rows only superusers create or delete; network admins may view and edit their own."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Network)
class NetworkAdmin(SuperuserCreatesAdmin):
    list_display = ["name", "slug", "time_zone"]
    search_fields = ["name", "slug"]


@admin.register(Region)
class RegionAdmin(TenantScopedAdmin):
    list_display = ["name", "code", "network"]
    list_filter = ["network"]
    search_fields = ["name", "code"]


@admin.register(Dealer)
class DealerAdmin(TenantScopedAdmin):
    list_display = ["code", "name", "city", "region", "network", "time_zone", "is_active"]
    list_filter = ["is_active", "network", "region"]
    search_fields = ["code", "name", "city"]
    list_select_related = ["region", "network"]

    def has_delete_permission(self, request, obj=None):
        # Dealers carry history; deactivate instead.
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "role", "department", "dealer", "region", "network", "is_active"]
    list_filter = ["role", "is_active", "network"]
    search_fields = ["user__email", "user__full_name", "dealer__code", "dealer__name"]
    list_select_related = ["user", "dealer", "region", "network"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # As membership_grant does: network admins need staff status to reach this admin.
        if obj.role == Role.NETWORK_ADMIN and obj.is_active and not obj.user.is_staff:
            obj.user.is_staff = True
            obj.user.save(update_fields=["is_staff"])
