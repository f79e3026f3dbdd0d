"""Who the tenants are: network → region → dealer, and who may act where (memberships)."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .scoping import DealerOwnedManager, NetworkOwnedManager, TenantManager

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,31}$",
    _("Use 2–32 capital letters, digits or hyphens, starting with a letter or digit."),
)
slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,49}$", _("Use 2–50 lower-case letters, digits or hyphens.")
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone (for example Europe/Helsinki)."),
                              params={"value": value})


def validate_content_languages(value) -> None:
    known = dict(settings.LANGUAGES)
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Give the content languages as a list of language codes."))
    unknown = [code for code in value if code not in known]
    if unknown:
        raise ValidationError(_("%(codes)s: not a language of the platform (%(known)s)."),
                              params={"codes": ", ".join(unknown), "known": ", ".join(known)})


class NetworkManager(TenantManager):
    network_path = ""


class DealerManager(TenantManager):
    dealer_path = ""


class Network(models.Model):
    """One car maker's after-sales organisation."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="en",
        help_text=_("New users and customers start in this language; network content falls back to it."))
    content_languages = models.JSONField(
        _("content languages"), default=list, blank=True, validators=[validate_content_languages],
        help_text=_("Further languages the network writes its own content in (categories, answers, "
                    "questions, checklists, KPI names)."))
    api_token_days = models.PositiveSmallIntegerField(
        _("API token lifetime (days)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A new API token of someone in this network stops working after this many days "
                    "(someone in several networks gets the shortest)."))
    customer_retention_days = models.PositiveIntegerField(
        _("customer retention (days)"), null=True, blank=True, validators=[MinValueValidator(30)],
        help_text=_("Customers with no job, complaint, call or change for longer than this are anonymised "
                    "automatically. Empty: kept until erased on request."))
    require_mfa = models.BooleanField(
        _("require two-factor authentication"), default=False,
        help_text=_("Everyone in this network must set up a second factor (an authenticator app or a security "
                    "key) before using the portal. HQ analysts and network admins always must."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NetworkManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self):
        return self.name

    @property
    def languages(self) -> list[str]:
        """The network's content languages, its default first, each once."""
        return list(dict.fromkeys([self.default_language, *self.content_languages]))


class Region(models.Model):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="regions")
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)

    objects = NetworkOwnedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["network", "code"], name="region_code_unique_in_network"),
        ]

    def __str__(self):
        return self.name


class Dealer(models.Model):
    """An outlet: the tenant every business row belongs to."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="dealers")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="dealers")
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=160)
    city = models.CharField(_("city"), max_length=120, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    is_active = models.BooleanField(_("active"), default=True)
    calling_from = models.TimeField(_("customers may be called from"), default=datetime.time(9, 0))
    calling_until = models.TimeField(_("customers may be called until"), default=datetime.time(19, 0))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DealerManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        constraints = [
            models.UniqueConstraint(fields=["network", "code"], name="dealer_code_unique_in_network"),
        ]
        indexes = [models.Index(fields=["network", "region"], name="dealer_network_region_idx")]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        if self.region_id and self.network_id and self.region.network_id != self.network_id:
            raise ValidationError({"region": _("The region belongs to another network.")})
        if self.calling_from and self.calling_until and self.calling_until <= self.calling_from:
            raise ValidationError({"calling_until": _("Calling hours must end after they start.")})

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class DealerOwnedModel(models.Model):
    """Base of every business row: it belongs to exactly one dealer and is scoped through it."""

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))

    objects = DealerOwnedManager()

    class Meta:
        abstract = True


class Role(models.TextChoices):
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")
    CUSTOMER_REPRESENTATIVE = "customer_representative", _("Customer representative")
    DEALER_MANAGER = "dealer_manager", _("Dealer manager")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    HQ_ANALYST = "hq_analyst", _("HQ analyst / auditor")
    NETWORK_ADMIN = "network_admin", _("Network admin")


DEALER_ROLES = frozenset({Role.SERVICE_ADVISOR, Role.CUSTOMER_REPRESENTATIVE, Role.DEALER_MANAGER})
REGION_ROLES = frozenset({Role.REGIONAL_MANAGER})
NETWORK_ROLES = frozenset({Role.HQ_ANALYST, Role.NETWORK_ADMIN})


class Department(models.TextChoices):
    SERVICE = "service", _("Service")
    SALES = "sales", _("Sales")
    PARTS = "parts", _("Parts")


def _role_condition(roles) -> Q:
    return Q(role__in=sorted(roles))


class Membership(models.Model):
    """A user's role at one dealer, across one region, or across one network."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    department = models.CharField(_("department"), max_length=16, choices=Department.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NetworkOwnedManager()

    class Meta:
        ordering = ["network", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(_role_condition(DEALER_ROLES) & Q(dealer__isnull=False, region__isnull=True))
                | (_role_condition(REGION_ROLES) & Q(dealer__isnull=True, region__isnull=False))
                | (_role_condition(NETWORK_ROLES) & Q(dealer__isnull=True, region__isnull=True)),
                name="membership_place_matches_role",
            ),
            models.CheckConstraint(
                condition=(Q(role=Role.DEALER_MANAGER) & ~Q(department=""))
                | (~Q(role=Role.DEALER_MANAGER) & Q(department="")),
                name="membership_department_only_for_managers",
            ),
            models.UniqueConstraint(
                fields=["dealer", "user", "role", "department"],
                condition=Q(dealer__isnull=False),
                name="membership_unique_at_dealer",
            ),
            models.UniqueConstraint(
                fields=["region", "user", "role"],
                condition=Q(region__isnull=False),
                name="membership_unique_in_region",
            ),
            models.UniqueConstraint(
                fields=["network", "user", "role"],
                condition=Q(dealer__isnull=True, region__isnull=True),
                name="membership_unique_in_network",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.place}"

    @property
    def place(self):
        return self.dealer or self.region or self.network

    def clean(self):
        errors = {}
        if self.role in DEALER_ROLES and not self.dealer_id:
            errors["dealer"] = _("This role works at one dealer: choose it.")
        if self.role in REGION_ROLES and not self.region_id:
            errors["region"] = _("A regional manager needs a region.")
        if self.role not in DEALER_ROLES and self.dealer_id:
            errors["dealer"] = _("Only dealer roles are given at a dealer.")
        if self.role not in REGION_ROLES and self.region_id:
            errors["region"] = _("Only regional managers are given a region.")
        if self.role == Role.DEALER_MANAGER and not self.department:
            errors["department"] = _("A dealer manager needs a department.")
        if self.role != Role.DEALER_MANAGER and self.department:
            errors["department"] = _("Only dealer managers have a department.")
        if self.dealer_id and self.network_id and self.dealer.network_id != self.network_id:
            errors["dealer"] = _("The dealer belongs to another network.")
        if self.region_id and self.network_id and self.region.network_id != self.network_id:
            errors["region"] = _("The region belongs to another network.")
        if errors:
            raise ValidationError(errors)
