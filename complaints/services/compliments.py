"""Compliments (G.4): praise is recorded and corrected through one set of checks."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..inputs import NOT_AVAILABLE, moment_checked, words_checked
from ..models import Compliment
from ..selectors import works_at


def _compliment_checked(compliment: Compliment) -> Compliment:
    """The checks every compliment passes, new or corrected: the praised person works at its dealer, the
    customer is the dealer's, the words are there, the time is plausible, the choices are known."""
    errors = {}
    if compliment.person is not None and not works_at(compliment.person, compliment.dealer):
        errors["person"] = NOT_AVAILABLE
    if compliment.customer is not None and compliment.customer.dealer_id != compliment.dealer_id:
        errors["customer"] = NOT_AVAILABLE
    if errors:
        raise ValidationError(errors)
    compliment.words = words_checked(compliment.words, "words", what=_("the customer's words"))
    compliment.received_at = moment_checked(compliment.received_at, "received_at")
    compliment.full_clean(exclude=["dealer", "customer", "person", "logged_by"], validate_constraints=False)
    return compliment


@transaction.atomic
def compliment_record(*, dealer, department: str, channel: str, words: str, person=None, customer=None,
                      received_at: datetime | None = None, by=None) -> Compliment:
    """Record praise (G.4 counts compliments beside complaints). Side effects: none beyond the row."""
    compliment = _compliment_checked(Compliment(dealer=dealer, department=department, channel=channel,
                                                words=words, person=person, customer=customer,
                                                received_at=received_at, logged_by=by))
    compliment.save()
    return compliment


@transaction.atomic
def compliment_update(*, compliment: Compliment, department: str, channel: str, words: str, person,
                      customer, received_at: datetime) -> Compliment:
    """Correct a compliment: every field given, checked exactly as when it was recorded. Side effects: none."""
    compliment = Compliment.objects.select_for_update().select_related("dealer").get(pk=compliment.pk)
    compliment.department, compliment.channel, compliment.words = department, channel, words
    compliment.person, compliment.customer, compliment.received_at = person, customer, received_at
    _compliment_checked(compliment).save()
    return compliment
