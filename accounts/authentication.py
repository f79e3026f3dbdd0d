"""The API's token login (REST_FRAMEWORK's first authentication class): ``Authorization: Token <secret>``."""

from django.utils import translation
from rest_framework import authentication, exceptions

from . import mfa, services


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """Our hashed, expiring tokens behind DRF's header parsing (and its ``WWW-Authenticate: Token``, which makes a
    missing login a 401), answering in the token holder's language: a session's user gets theirs from
    UserLanguageMiddleware, a token is only read here, inside the view."""

    def authenticate_credentials(self, key):
        try:
            token = services.api_token_authenticate(secret=key)
        except services.ApiTokenRefused as refused:
            raise exceptions.AuthenticationFailed(refused.message) from None
        if mfa.mfa_enrolment_missing(token.owner):
            raise exceptions.PermissionDenied(mfa.API_ENROL_FIRST_MESSAGE)
        return token.owner, token

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and found[0].language:
            translation.activate(found[0].language)
            request._request.LANGUAGE_CODE = translation.get_language()
        return found
