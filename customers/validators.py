import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
PHONE_PATTERN = re.compile(r"^\+[1-9][0-9]{6,14}$")


def normalize_vin(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def validate_vin(value: str) -> None:
    """A VIN has 17 characters, letters and digits, never I, O or Q (ISO 3779)."""
    vin = normalize_vin(value)
    if len(vin) != 17:
        raise ValidationError(_("A VIN has exactly 17 characters; this one has %(count)d."),
                              params={"count": len(vin)}, code="vin_length")
    if re.search(r"[IOQ]", vin):
        raise ValidationError(_("A VIN never contains the letters I, O or Q."), code="vin_letters")
    if not VIN_PATTERN.match(vin):
        raise ValidationError(_("A VIN has only letters and digits."), code="vin_characters")


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s().-]", "", value or "")


def validate_phone(value: str) -> None:
    """Phone numbers are kept in international (E.164) format: + country code and number."""
    if not PHONE_PATTERN.match(normalize_phone(value)):
        raise ValidationError(_("Enter the number in international format, for example +52 55 1234 5678."),
                              code="phone_format")
