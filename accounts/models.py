"""People who log in (by email), and the invitations that bring them in."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.models import Department, Membership, Role
from dealer_portal.tenancy.scoping import NetworkOwnedManager
from outbox.models import EmailStatus, delivery_note


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split(" ")[0]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class InvitationKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    ROLE_NOTICE = "role_notice", _("New role for an existing account")


class Invitation(models.Model):
    """A network admin's invitation: a one-time link that sets the new user's password.

    Only the SHA-256 of the token is stored, so a database dump cannot be used to accept one. The row is also
    the claim of its email (``email_*``): pending → sending (a lease) → sent, or pending again with a later
    attempt, or failed after the last one. The token is minted when the email is sent, so only the link in
    the latest email works. A ``ROLE_NOTICE`` row is the notice to someone who already had an account (accepted
    at once; its email carries no link).
    """

    network = models.ForeignKey("tenancy.Network", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey("tenancy.Region", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("region"))
    dealer = models.ForeignKey("tenancy.Dealer", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("dealer"))
    department = models.CharField(_("department"), max_length=16, choices=Department.choices, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=InvitationStatus.choices,
                              default=InvitationStatus.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=InvitationKind.choices,
                            default=InvitationKind.INVITATION)
    site_url = models.CharField(_("site address"), max_length=200, blank=True,
                                help_text=_("Where the emailed link points (the address the invitation was made on)."))
    email_status = models.CharField(_("email"), max_length=16, choices=EmailStatus.choices,
                                    default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_next_attempt_at = models.DateTimeField(_("next email attempt"), default=timezone.now)
    email_lease_until = models.DateTimeField(_("email held by a worker until"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("email sent"), null=True, blank=True)
    email_last_error = models.TextField(_("last email error"), blank=True)

    objects = NetworkOwnedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["network", "status"], name="invitation_network_status_idx"),
            # The sweeper reads the few rows whose email is still unsent, across networks.
            models.Index(fields=["email_next_attempt_at"],
                         condition=models.Q(email_status__in=(EmailStatus.PENDING, EmailStatus.SENDING)),
                         name="invitation_email_unsent_idx"),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    def membership_preview(self) -> Membership:
        return Membership(network=self.network, region=self.region, dealer=self.dealer, role=self.role,
                          department=self.department)

    @property
    def is_usable(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at > timezone.now()

    @property
    def is_role_notice(self) -> bool:
        return self.kind == InvitationKind.ROLE_NOTICE

    @property
    def can_send_again(self) -> bool:
        """A usable invitation (or a notice whose email failed) may be sent again, unless a send is under way."""
        if self.email_status == EmailStatus.SENDING:
            return False
        if self.is_role_notice:
            return self.email_status == EmailStatus.FAILED
        return self.is_usable

    @property
    def email_failed(self) -> bool:
        return self.email_status == EmailStatus.FAILED

    @property
    def email_note(self) -> str:
        """What became of the email, in words: sent when, retrying why and when, or failed why."""
        return delivery_note(status=self.email_status, attempts=self.email_attempts, last_error=self.email_last_error,
                             sent_at=self.email_sent_at, next_attempt_at=self.email_next_attempt_at,
                             queued=_("Not yet sent: on its way"))
