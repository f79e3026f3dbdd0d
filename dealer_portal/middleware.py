"""Request-wide guards: input no field can hold is refused first; a background service that is down is a 503."""

import logging
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from accounts import mfa

from . import views
from .errors import BACKGROUND_OUTAGES, BackgroundUnavailable

logger = logging.getLogger(__name__)

FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
NUL_MESSAGE = _("The request contains a NUL character, which no field accepts.")
INVALID_UTF8_MESSAGE = _("The request contains bytes that are not UTF-8 text.")


class HostileInputMiddleware:
    """A 400 for a NUL character or bytes that are not UTF-8, wherever the request carries them.

    No text field can hold a NUL (PostgreSQL refuses it: a 500 deep inside a view), and bytes that are not
    UTF-8 would be silently replaced. So the query string, every header and cookie and a form body are
    checked here, before any view runs, and the path for NUL; a JSON body is checked by the API's parser,
    and files in a multipart upload are left alone (only its text fields are checked). A path that is not
    UTF-8 reaches no view: Django keeps its bytes percent-encoded, so it names nothing (a 404).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem is not None:
            logger.info("Refused %s %s: %s", request.method, request.path, problem)
            return views.bad_request(request, message=str(problem))
        return self.get_response(request)

    @staticmethod
    def _problem(request):
        """What makes the request unreadable (a message), or None."""
        meta = request.META
        content_type = meta.get("CONTENT_TYPE", "")
        raw_parts = [unquote_to_bytes(_wsgi_bytes(meta.get("QUERY_STRING", "")))]
        if content_type.startswith(FORM_URLENCODED):
            raw_parts.append(unquote_to_bytes(request.body))
        for raw in raw_parts:
            if b"\x00" in raw:
                return NUL_MESSAGE
            try:
                raw.decode()
            except UnicodeDecodeError:
                return INVALID_UTF8_MESSAGE
        texts = [request.path_info]
        texts += [value for key, value in meta.items() if key.startswith("HTTP_") or key == "CONTENT_TYPE"]
        texts += [text for pair in request.COOKIES.items() for text in pair]
        if content_type.startswith(MULTIPART) and request.method == "POST":
            texts += [text for key, values in request.POST.lists() for text in (key, *values)]
        if any("\x00" in text for text in texts if isinstance(text, str)):
            return NUL_MESSAGE
        return None


def _wsgi_bytes(value: str) -> bytes:
    """The bytes the client sent: WSGI hands the query string over as Latin-1 text."""
    return value.encode("iso-8859-1", errors="replace")


class BackgroundOutageMiddleware:
    """A 503 with ``Retry-After`` when the background service (broker or cache) is down, not a 500.

    Catches ``BackgroundUnavailable`` (its message says what was saved) and the broker's and Redis's
    connection errors escaping any view (pages, API, admin); JSON under ``/api/``, a page elsewhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BackgroundUnavailable):
            return views.service_unavailable(request, exception.message)
        if isinstance(exception, BACKGROUND_OUTAGES):
            logger.warning("Background service unavailable during %s %s: %r", request.method, request.path,
                           exception)
            return views.service_unavailable(request)
        return None


class UserLanguageMiddleware:
    """A signed-in person sees the language kept on their account, whatever the device; anyone else keeps
    LocaleMiddleware's choice (the language cookie, then Accept-Language). Runs after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """The ``Permissions-Policy`` header from ``settings.PERMISSIONS_POLICY`` (feature: allowed origins) on every
    answer: an empty list turns the feature off for every origin, ``"self"`` keeps it for our own pages."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(_permissions_origin(origin) for origin in origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def _permissions_origin(origin: str) -> str:
    """``self`` and ``*`` as they are; an origin is quoted, as the header's structured-field syntax wants."""
    return origin if origin in ("self", "*") else f'"{origin}"'


# What someone who must still set up a second factor may reach: the set-up pages themselves (allauth's mfa_*),
# the password confirmation they may ask for, logging out, the health check and the language picker.
MFA_ENROLMENT_OPEN_URL_NAMES = frozenset({"account_logout", "account_reauthenticate", "healthz", "set_language",
                                          "javascript-catalog"})


class MfaEnrolmentMiddleware:
    """Someone who must use a second factor (accounts.mfa.mfa_required) and has none reaches only its set-up
    pages: any other page sends them there with a message saying why; the API answers 403 JSON. The admin also
    wants a session that passed the second factor (an enrolled person whose session did not is asked for it).
    Runs after AuthenticationMiddleware and MessageMiddleware; a token caller of the API is checked by
    accounts.authentication.ApiTokenAuthentication, inside the view."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._open_to_everyone(request):
            return self.get_response(request)
        if not mfa.session_passed_mfa(request) and mfa.mfa_enrolment_missing(user):
            if views.is_api(request):
                return views.api_error(mfa.API_ENROL_FIRST_MESSAGE, 403)
            messages.warning(request, mfa.ENROL_FIRST_MESSAGE)
            if request.headers.get("HX-Request"):
                return HttpResponseClientRedirect(reverse("mfa_index"))  # the whole page, not into a panel
            return redirect("mfa_index")
        if request.path.startswith(self.admin_prefix) and not mfa.session_passed_mfa(request):
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open_to_everyone(request) -> bool:
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            return False
        return name.startswith("mfa_") or name in MFA_ENROLMENT_OPEN_URL_NAMES
