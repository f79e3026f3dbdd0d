"""What was done for a customer's data rights (PDPA/GDPR): each export and each erasure, who did it and why.

The row keeps the customer's id, never their name: after an erasure nothing here names them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.tracking import history_model
from dealer_portal.tenancy.models import DealerOwnedModel
from dealer_portal.tenancy.scoping import DealerOwnedManager

# The reason the retention beat task gives; shown in the reader's language through ``reason_text``.
RETENTION_REASON = "retention period"
REASON_REQUIRED = _("Say why the customer's data is erased.")


class ActionKind(models.TextChoices):
    EXPORT = "export", _("Export")
    ERASE = "erase", _("Erasure")


class DataRightsAction(DealerOwnedModel):
    """One export or erasure of one customer's data. Only ever added, never edited."""

    kind = models.CharField(_("kind"), max_length=8, choices=ActionKind.choices)
    customer_id = models.PositiveBigIntegerField(_("customer (id)"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    # How many records of each kind were exported or anonymised ({model label: count}).
    counts = models.JSONField(_("records"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("data rights action")
        verbose_name_plural = _("data rights actions")
        constraints = [
            # A customer is erased once: a second request (a double click, a retried task) finds this row.
            models.UniqueConstraint(fields=["dealer", "customer_id"], condition=models.Q(kind="erase"),
                                    name="datarights_one_erasure_per_customer"),
        ]
        indexes = [models.Index(fields=["dealer", "customer_id"], name="datarights_dealer_customer_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.customer_id}"

    @property
    def is_erasure(self) -> bool:
        return self.kind == ActionKind.ERASE

    @property
    def reason_text(self) -> str:
        """The reason as given, or the retention task's reason in the reader's language."""
        return str(_("retention period")) if self.reason == RETENTION_REASON else self.reason


# The actions are in the audit trail like every business record (declared here: audit sits below this app).
DataRightsActionHistory = history_model(DataRightsAction, manager=DealerOwnedManager, app_label="datarights")
