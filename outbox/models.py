"""The outbox: every email a service decides to send, written in the same transaction as that decision."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dealer_portal.tenancy.models import DealerOwnedModel

WHEN_FORMAT = "%Y-%m-%d %H:%M"


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Not yet sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


UNSENT_STATUSES = (EmailStatus.PENDING, EmailStatus.SENDING)


def delivery_note(*, status, attempts: int, last_error: str, sent_at, next_attempt_at, zone=None, queued: str) -> str:
    """What became of an email, in words, for whatever row tracks one (an outbox email, an invitation): sent
    when, failed why, being sent, retrying why and when, or ``queued`` before its first attempt. Times are
    shown in ``zone`` (the active time zone when None)."""

    def when(moment) -> str:
        return timezone.localtime(moment, zone).strftime(WHEN_FORMAT)

    tries = ngettext("%(count)s attempt", "%(count)s attempts", attempts) % {"count": attempts}
    if status == EmailStatus.SENT:
        return _("Sent at %(when)s") % {"when": when(sent_at)}
    if status == EmailStatus.FAILED:
        return _("Failed after %(attempts)s: %(error)s") % {"attempts": tries, "error": last_error}
    if status == EmailStatus.SENDING:
        return _("Sending (attempt %(attempt)s)") % {"attempt": attempts}
    if attempts:
        return _("Not yet sent: retrying (%(attempts)s, last error: %(error)s); next try at %(when)s") % {
            "attempts": tries, "error": last_error, "when": when(next_attempt_at)}
    return queued


class Email(DealerOwnedModel):
    """One email to one recipient, and what became of it.

    Written by ``services.email_queue`` inside the transaction that decided to send it (a claim such as a daily
    log delivery), then sent by a task after commit: ``status`` moves pending → sending (a lease) → sent, or back
    to pending with a later ``next_attempt_at`` when sending failed, or to failed after the last attempt.
    """

    purpose = models.SlugField(_("purpose"), max_length=64, help_text=_("What the email is for."))
    about_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                   verbose_name=_("about (type)"))
    about_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    to = models.EmailField(_("to"))
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(_("held by a worker until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [
            models.Index(fields=["dealer", "about_type", "about_id"], name="email_about_idx"),
            # The sweeper reads the few rows still unsent, across dealers: a small partial index it scans whole.
            models.Index(fields=["dealer", "next_attempt_at"], condition=Q(status__in=UNSENT_STATUSES),
                         name="email_unsent_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"

    @property
    def is_failed(self) -> bool:
        return self.status == EmailStatus.FAILED

    @property
    def delivery_note(self) -> str:
        """What became of the email, in words: sent when, retrying why, or failed why (times at the dealer)."""
        return delivery_note(status=self.status, attempts=self.attempts, last_error=self.last_error,
                             sent_at=self.sent_at, next_attempt_at=self.next_attempt_at, zone=self.dealer.zone,
                             queued=_("Not yet sent: queued at %(when)s") % {
                                 "when": timezone.localtime(self.created_at, self.dealer.zone).strftime(WHEN_FORMAT)})
