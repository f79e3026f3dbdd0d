import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.utils import translation
from django.utils.translation import gettext as _

from . import mfa
from .models import User

logger = logging.getLogger(__name__)

# What Django's SMTP backend raises when the server is down, refuses, or the connection breaks.
MAIL_SERVER_ERRORS = (smtplib.SMTPException, OSError)


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No self-sign-up: people join through a network admin's invitation."""

    def is_open_for_signup(self, request):
        return False

    def login(self, request, user) -> None:
        """Once logged in, the rest of the request speaks the person's own language: the "logged in" message
        and the redirect are theirs, not the login page's (which follows the browser)."""
        super().login(request, user)
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()

    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        """allauth's emails (password reset): a mail server that fails is logged and told to the user, never a 500.

        The request is marked (``email_not_sent``) so the page can answer its form again instead of "sent".
        The email is written in its recipient's language (their account's), whatever the page was shown in.
        """
        try:
            with translation.override(self._recipient_language(email, context_data)):
                super().send_mail(template_prefix, email, context_data)
        except MAIL_SERVER_ERRORS:
            logger.exception("could not send %s to %s", template_prefix, email)
            request = context.request
            if request is not None:
                request.email_not_sent = True
                messages.error(request, _("We could not send the email right now; try again in a few minutes."))

    @staticmethod
    def _recipient_language(email: str, context_data: dict) -> str:
        user = context_data.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        return user.language if user is not None and user.language else translation.get_language()


class MfaAdapter(DefaultMFAAdapter):
    """allauth.mfa as the portal wants it: someone who must use a second factor cannot turn off their last one."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        user = authenticator.user
        if not mfa.mfa_required(user):
            return True
        others = Authenticator.objects.filter(user=user).exclude(pk=authenticator.pk)
        return others.exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
