"""Texts of django-allauth and Django that our pages and emails show, listed so that our catalogue carries them.

allauth has no Malay catalogue and some of Django's are behind (Django 5.2 changed the "too short" message, and
Malay's "too common" says "too short"); our catalogue (LOCALE_PATHS) takes precedence over both, so what is listed
here is translated once, in our words. Each msgid is byte-identical to the package's source: a test checks that
the package still has it, so a renamed string is caught when the package is upgraded.
Templates of allauth that our users see are replaced by ours under templates/account/ and templates/mfa/ instead.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# allauth's form errors (account/adapter.py DefaultAccountAdapter.error_messages and account/forms.py).
ALLAUTH_MESSAGES = [
    gettext_noop("The email address and/or password you specified are not correct."),  # login
    gettext_noop("Too many failed login attempts. Try again later."),  # login, over the rate limit
    gettext_noop("This account is currently inactive."),  # login
    gettext_noop("Please type your current password."),  # password change
    gettext_noop("Incorrect password."),  # reauthentication
    gettext_noop("You must type the same password each time."),  # change, set, reset from the link
    gettext_noop("Incorrect code."),  # a second factor's code (mfa/adapter.py)
    gettext_noop("Be patient, you are sending too many requests."),  # setting up an authenticator app, too often
    gettext_noop("You cannot deactivate two-factor authentication."),  # the last factor of someone who must have one
    gettext_noop("Use your password"),  # the ways to confirm it is you (account/adapter.py)
    gettext_noop("Use authenticator app or code"),
    gettext_noop("Use a security key"),
]

# allauth's form field labels, shown on the password pages.
ALLAUTH_LABELS = [
    gettext_noop("Email"),  # password reset request
    gettext_noop("Current Password"),  # password change
    gettext_noop("New Password"),  # password change, reset from the link
    gettext_noop("New Password (again)"),
    gettext_noop("Password"),  # password set, reauthentication
    gettext_noop("Password (again)"),  # password set
]

# Django's own texts whose catalogue is missing or wrong in one of our languages (django/contrib/auth).
DJANGO_MESSAGES = [
    gettext_noop("This password is too common."),  # Malay: Django's says "too short"
]
DJANGO_PLURAL_MESSAGES = [
    # Django 5.2's msgid; fi, ms and zh_Hans still translate the older "%(min_length)d" one.
    ngettext_lazy("This password is too short. It must contain at least %d character.",
                  "This password is too short. It must contain at least %d characters."),
]
