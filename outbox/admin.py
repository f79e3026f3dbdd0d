from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin

from .models import Email


@admin.register(Email)
class EmailAdmin(ReadOnlyTenantAdmin):
    """Every email the platform decided to send, and whether it went out: failed ones say why."""

    list_display = ["created_at", "dealer", "purpose", "to", "subject", "status", "attempts", "delivery_note"]
    list_filter = ["status", "purpose", "dealer"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["dealer"]
    readonly_fields = ["dealer", "purpose", "about_type", "about_id", "to", "from_email", "subject", "body", "status",
                       "attempts", "next_attempt_at", "lease_until", "sent_at", "last_error", "created_at"]

    @admin.display(description=_("delivery"))
    def delivery_note(self, email):
        return email.delivery_note
