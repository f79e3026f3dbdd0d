"""Follow-up calls 3–5 days after every delivery (service promise 9, sales promise 9, PRC c.2).

A call is a row with its window of local dates, created in the same transaction as the handover: the
wait is a due date on the row, never a delayed message.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.models import DealerOwnedModel


class CallKind(models.TextChoices):
    SERVICE = "service", _("After a service")
    SALES = "sales", _("After a new-car handover")


class CallStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTEMPTED = "attempted", _("Tried, not reached yet")
    REACHED = "reached", _("Reached")
    MISSED = "missed", _("Missed: the window passed")
    NOT_CONTACTED = "not_contacted", _("Not to be contacted")


OPEN_CALL_STATUSES = (CallStatus.SCHEDULED, CallStatus.ATTEMPTED)


class FollowUpCall(DealerOwnedModel):
    """One satisfaction call, due in a window of the dealer's local dates after a delivery."""

    kind = models.CharField(_("kind"), max_length=16, choices=CallKind.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="followup_calls")
    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="followup_calls")
    service_job = models.ForeignKey("servicejobs.ServiceJob", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="followup_calls")
    sales_handover = models.ForeignKey("servicejobs.SalesHandover", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="followup_calls")
    delivered_at = models.DateTimeField(_("delivered"))
    window_start = models.DateField(_("call from (local date)"))
    window_end = models.DateField(_("call until (local date)"))
    status = models.CharField(_("status"), max_length=16, choices=CallStatus.choices, default=CallStatus.SCHEDULED)
    not_contacted_reason = models.CharField(_("why the customer is not called"), max_length=200, blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    reached_at = models.DateTimeField(_("reached"), null=True, blank=True)
    representative = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["window_end", "pk"]
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        constraints = [
            # One call per delivery, whatever is retried.
            models.UniqueConstraint(fields=["dealer", "service_job"], condition=Q(service_job__isnull=False),
                                    name="followup_one_call_per_service_job"),
            models.UniqueConstraint(fields=["dealer", "sales_handover"], condition=Q(sales_handover__isnull=False),
                                    name="followup_one_call_per_sales_handover"),
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")),
                                   name="followup_window_in_order"),
            models.CheckConstraint(
                condition=(Q(kind=CallKind.SERVICE, service_job__isnull=False, sales_handover__isnull=True)
                           | Q(kind=CallKind.SALES, sales_handover__isnull=False, service_job__isnull=True)),
                name="followup_kind_matches_delivery"),
        ]
        indexes = [models.Index(fields=["dealer", "status", "window_end"], name="followup_dealer_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.customer} · {self.window_start}–{self.window_end}"
