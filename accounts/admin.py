from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dealer_portal.tenancy.admin import TenantScopedAdmin
from dealer_portal.tenancy.models import Membership

from . import services
from .models import ApiToken, Invitation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Superusers manage accounts; network admins see the people of their networks, read-only.

    Network admins give and take roles through memberships and invitations, never by editing accounts
    (an account may also belong to another network).
    """

    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        # Memberships are network-owned: the scoped manager keeps only this admin's networks.
        return users.filter(pk__in=Membership.objects.values("user_id")).distinct()

    def has_module_permission(self, request):
        return request.user.is_superuser or request.tenancy.is_network_admin()

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or request.tenancy.is_network_admin()

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Invitation)
class InvitationAdmin(TenantScopedAdmin):
    list_display = ["email", "kind", "role", "dealer", "region", "network", "status", "email_status", "expires_at"]
    list_filter = ["status", "kind", "email_status", "role", "network"]
    search_fields = ["email", "full_name"]
    # The email's claim is the send task's: an edit here could mail a second link (send again from the page).
    readonly_fields = ["status", "kind", "token_hash", "invited_by", "accepted_at", "accepted_user", "declined_at",
                       "expires_at", "site_url", "email_status", "email_attempts", "email_next_attempt_at",
                       "email_lease_until", "email_sent_at", "email_last_error"]

    def has_add_permission(self, request):
        # Invitations are sent from the network's Invitations page, which emails the one-time link.
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Superusers see everyone's API tokens (never a secret: only the prefix is known) and can revoke a leaked one;
    people make and revoke their own on their account page."""

    list_display = ["name", "prefix", "owner", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "name", "owner__email"]
    list_select_related = ["owner"]
    readonly_fields = ["owner", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["secret_hash"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        revoked = sum(services.api_token_revoke(token=token) for token in queryset)
        messages.success(request, ngettext("%(count)s API token revoked.", "%(count)s API tokens revoked.", revoked)
                         % {"count": revoked})
