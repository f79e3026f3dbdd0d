import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib import messages
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# What Django's SMTP backend raises when the server is down, refuses, or the connection breaks.
MAIL_SERVER_ERRORS = (smtplib.SMTPException, OSError)


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No self-sign-up: people join through a network admin's invitation."""

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        """allauth's emails (password reset): a mail server that fails is logged and told to the user, never a 500.

        The request is marked (``email_not_sent``) so the page can answer its form again instead of "sent".
        """
        try:
            super().send_mail(template_prefix, email, context_data)
        except MAIL_SERVER_ERRORS:
            logger.exception("could not send %s to %s", template_prefix, email)
            request = context.request
            if request is not None:
                request.email_not_sent = True
                messages.error(request, _("We could not send the email right now; try again in a few minutes."))
