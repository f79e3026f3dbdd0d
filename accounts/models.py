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
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class InvitationKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    # Rows made before invitations needed consent: the role was granted at once. None are made any more.
    ROLE_NOTICE = "role_notice", _("New role for an existing account")


class Invitation(models.Model):
    """A network admin's invitation to a role: for a new address, a one-time link that sets the password and
    creates the account; for an address that already has an account, a link to a page where that account, logged
    in, accepts or declines. Nothing is granted before acceptance, and the admin is told the same in both cases.

    Only the SHA-256 of the token is stored, so a database dump cannot be used to accept one. The row is also
    the claim of its email (``email_*``): pending → sending (a lease) → sent, or pending again with a later
    attempt, or failed after the last one. The token is minted when the email is sent, so only the link in
    the latest email works. ``ROLE_NOTICE`` rows are history from before consent (the role was granted at once).
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
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
                                help_text=_("The new person's language, and the invitation email's; "
                                            "the network's default language if left empty."))
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
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
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
            # A signed-in person's pending invitations, from any network, are read on every page (the header).
            models.Index(fields=["email"], condition=models.Q(status="pending"), name="invitation_pending_email_idx"),
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
    def state(self) -> str:
        """Where the invitation stands, as the admin sees it: a pending one past its date is expired already."""
        if self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return self.status

    @property
    def state_label(self) -> str:
        return InvitationStatus(self.state).label

    @property
    def place(self):
        """Where the invited role works: the dealer, else the region, else the whole network."""
        return self.dealer or self.region or self.network

    @property
    def can_send_again(self) -> bool:
        """A usable invitation may be sent again, unless a send is under way."""
        return self.email_status != EmailStatus.SENDING and self.is_usable

    @property
    def email_failed(self) -> bool:
        return self.email_status == EmailStatus.FAILED

    @property
    def email_note(self) -> str:
        """What became of the email, in words: sent when, retrying why and when, or failed why."""
        return delivery_note(status=self.email_status, attempts=self.email_attempts, last_error=self.email_last_error,
                             sent_at=self.email_sent_at, next_attempt_at=self.email_next_attempt_at,
                             queued=_("Not yet sent: on its way"))


class ApiToken(models.Model):
    """A named API login of one user, for their scripts and integrations (``Authorization: Token <secret>``).

    Only the secret's SHA-256 is stored, with its first characters (``prefix``) in clear so the row can be found
    and shown ("which token is this?"); the secret itself is shown once, when the token is made. A token acts
    as its owner and nothing more: the owner's memberships decide what it reaches, at every request.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                              verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired()
