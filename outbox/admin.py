from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin

from .models import Email
from .services import emails_retry


@admin.register(Email)
class EmailAdmin(ReadOnlyTenantAdmin):
    """Every email the platform decided to send, and whether it went out: failed ones say why."""

    list_display = ["created_at", "dealer", "purpose", "to", "subject", "status", "attempts", "delivery_note"]
    list_filter = ["status", "purpose", "dealer"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["dealer"]
    actions = ["retry"]
    readonly_fields = ["dealer", "purpose", "about_type", "about_id", "to", "from_email", "subject", "body", "status",
                       "attempts", "next_attempt_at", "lease_until", "sent_at", "last_error", "created_at"]

    @admin.display(description=_("delivery"))
    def delivery_note(self, email):
        return email.delivery_note

    @admin.action(description=_("Send the selected failed emails again"))
    def retry(self, request, queryset):
        count = emails_retry(email_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext("%(count)d failed email will be sent again.",
                                            "%(count)d failed emails will be sent again.", count) % {"count": count},
                          messages.SUCCESS)
