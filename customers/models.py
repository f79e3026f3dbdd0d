"""A dealer's customers and their vehicles. Uniqueness is always per dealer, never global."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.models import DealerOwnedModel

from .validators import normalize_phone, normalize_vin, validate_phone, validate_vin


class Customer(DealerOwnedModel):
    name = models.CharField(_("name"), max_length=160)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    phone_alt = models.CharField(_("other phone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en")
    contact_consent = models.BooleanField(_("agrees to be contacted"), default=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    do_not_contact_reason = models.CharField(_("reason for do-not-contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the customer's own details last changed (the retention period counts from their last activity).
    # A row written without it (raw SQL, an older migration's model) is changed now.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["dealer", "name"], name="customer_dealer_name_idx"),
            models.Index(fields=["dealer", "phone"], name="customer_dealer_phone_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.phone = normalize_phone(self.phone)
        self.phone_alt = normalize_phone(self.phone_alt)
        super().save(*args, **kwargs)


class Vehicle(DealerOwnedModel):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="vehicles",
                                 verbose_name=_("customer"))
    vin = models.CharField(_("VIN"), max_length=17, validators=[validate_vin])
    plate = models.CharField(_("plate"), max_length=16, blank=True)
    make = models.CharField(_("make"), max_length=60, blank=True)
    model = models.CharField(_("model"), max_length=60, blank=True)
    handover_date = models.DateField(_("new-car handover date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plate"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "vin"], name="vehicle_vin_unique_per_dealer",
                violation_error_message=_("A vehicle with this VIN is already registered at this dealer."),
            ),
        ]
        indexes = [models.Index(fields=["dealer", "plate"], name="vehicle_dealer_plate_idx")]

    def __str__(self):
        return f"{self.plate or self.vin} · {self.make} {self.model}".strip()

    def clean(self):
        if self.customer_id and self.dealer_id and self.customer.dealer_id != self.dealer_id:
            raise ValidationError({"customer": _("Select a valid choice. That choice is not one of the "
                                                 "available choices.")})

    def save(self, *args, **kwargs):
        self.vin = normalize_vin(self.vin)
        self.plate = (self.plate or "").upper().strip()
        super().save(*args, **kwargs)
