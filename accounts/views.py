import contextlib

from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.decorators import network_page
from dealer_portal.tenancy.models import Role
from outbox.models import EmailStatus

from . import mfa, selectors, services
from .forms import ApiTokenForm, InvitationAcceptForm, InvitationForm, ProfileForm
from .models import Invitation


@network_page(roles=(Role.NETWORK_ADMIN,))
def invitation_list(request, network):
    form = InvitationForm(request.POST or None, initial={"language": network.default_language})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                network=network, invited_by=request.user, email=data["email"], full_name=data["full_name"],
                role=data["role"], dealer=data["dealer"], region=data["region"], department=data["department"],
                language=data["language"], site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The same words whether or not the address has an account: they depend only on the email's fate.
            invitation.refresh_from_db(fields=["email_status"])  # sent already if a worker (or eager mode) was quick
            if invitation.email_status == EmailStatus.SENT:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            else:
                messages.success(request, _("Invitation saved for %(email)s; the email is on its way.")
                                 % {"email": invitation.email})
            if invitation.replaced_pending:
                messages.info(request, _("It replaces the invitation still pending for this address: only the "
                                         "link in the newest email works."))
            return redirect("invitation_list", network.slug)
    invitations = Invitation.objects.select_related("dealer", "region", "invited_by")[:200]
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/invitation_list.html",
                  {"network": network, "form": form, "invitations": invitations}, status=status)


@network_page(roles=(Role.NETWORK_ADMIN,))
@require_POST
def invitation_revoke(request, network, pk: int):
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise Http404(_("No such invitation."))
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("invitation_list", network.slug)


@network_page(roles=(Role.NETWORK_ADMIN,))
@require_POST
def invitation_send_again(request, network, pk: int):
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise Http404(_("No such invitation."))
    if not services.invitation_email_resend(invitation=invitation, site_url=request.build_absolute_uri("/")):
        messages.warning(request, _("The email to %(email)s cannot be sent again: the invitation is no longer "
                                    "open, or a send is under way.") % {"email": invitation.email})
    else:
        messages.success(request, _("The email to %(email)s will be sent again, with a new link.")
                         % {"email": invitation.email})
    return redirect("invitation_list", network.slug)


def invitation_accept(request, token: str):
    """Public: the emailed link. Unknown links 404; used, declined, withdrawn or expired ones 410.

    For an address without an account, the invited person chooses a password; the page speaks the invitation's
    language (the one the account will have), not the browser's. For an address that has an account, that
    account, logged in, accepts or declines (anyone else logged in is refused, 403)."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnusable as problem:
        return _unusable(request, problem.message, status=410 if problem.known else 404)
    recipient = services.invitation_recipient(invitation)
    if recipient is not None:
        return _invitation_answer_page(request, invitation, recipient)
    _language_activate(request, services.invitation_language(invitation))
    form = InvitationAcceptForm(request.POST or None, email=invitation.email,
                                initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = services.invitation_accept(token=token, password=form.cleaned_data["password1"],
                                                  full_name=form.cleaned_data["full_name"])
        except services.InvitationUnusable as problem:
            return _unusable(request, problem.message, status=410)
        user.backend = "django.contrib.auth.backends.ModelBackend"
        get_adapter(request).login(request, user)  # and the rest of the request in the account's language
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("home")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation},
                  status=400 if request.method == "POST" else 200)


def _unusable(request, message: str, *, status: int):
    return render(request, "accounts/invitation_unusable.html", {"message": message}, status=status)


def _invitation_answer_page(request, invitation, recipient):
    """The emailed link for an existing account: log in first; then Accept or Decline (POSTed here)."""
    if not request.user.is_authenticated:
        _language_activate(request, recipient.language)
        login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return render(request, "accounts/invitation_answer.html", {"invitation": invitation, "login_url": login_url})
    if request.method == "POST":
        return _invitation_answer(request, invitation)
    if not services.invitation_is_addressed_to(invitation, request.user):
        return _unusable(request, services.InvitationNotYours(invitation, request.user).message, status=403)
    return render(request, "accounts/invitation_answer.html", {"invitation": invitation})


def _invitation_answer(request, invitation):
    """Accept or decline (``answer`` in the POST) as the signed-in account; every refusal is a page that says why."""
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        return _unusable(request, _("Choose Accept or Decline."), status=400)
    try:
        if answer == "accept":
            services.invitation_accept_signed_in(invitation=invitation, user=request.user)
        else:
            services.invitation_decline(invitation=invitation, user=request.user)
    except services.InvitationNotYours as refusal:
        return _unusable(request, refusal.message, status=403)
    except services.InvitationUnusable as problem:
        return _unusable(request, problem.message, status=410)
    place = {"role": invitation.get_role_display(), "place": invitation.place}
    if answer == "accept":
        messages.success(request, _("You accepted: you are now %(role)s at %(place)s.") % place)
        return redirect("home")
    messages.success(request, _("You declined the invitation as %(role)s at %(place)s.") % place)
    return redirect("invitations_pending")


@login_required
def invitations_pending(request):
    """The invitations waiting for the signed-in person's answer, from any network."""
    return render(request, "accounts/invitations_pending.html",
                  {"invitations": selectors.invitations_pending_for_user(user=request.user)})


@login_required
@require_POST
def invitation_answer(request, pk: int):
    """Accept or decline one of one's own invitations from the pending list; anyone else's is a 404."""
    invitation = selectors.invitation_for_recipient(user=request.user, pk=pk)
    if invitation is None:
        raise Http404(_("No such invitation."))
    return _invitation_answer(request, invitation)


def _language_activate(request, language: str) -> None:
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()


class PasswordResetView(allauth_views.PasswordResetView):
    """allauth's reset request, except that when the email could not be sent the form is shown again with the
    adapter's message (503) instead of the page that says it was sent."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if getattr(self.request, "email_not_sent", False):
            return self.render_to_response(self.get_context_data(form=form), status=503)
        return response


password_reset = PasswordResetView.as_view()


@require_POST
def language_set(request):
    """The language picker: Django's set_language (the cookie, and only a safe ``next``), and for someone signed
    in the choice kept on their account too, so it follows them to every device and into their emails."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    # "es-mx" and "zh-Hans" are Spanish and Chinese, as the pages take them; anything else is no platform language.
    with contextlib.suppress(LookupError):
        language = translation.get_supported_language_variant(language).lower()
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return response


def _profile_render(request, *, form=None, token_form=None, new_secret: str = "", status: int = 200):
    """The account page: the profile form, and one's API tokens with times in one's own zone."""
    user = request.user
    context = {"form": form or ProfileForm(instance=user), "token_form": token_form or ApiTokenForm(),
               "api_tokens": selectors.api_tokens_of(user=user), "new_secret": new_secret,
               "mfa_enabled": mfa.mfa_enabled(user), "mfa_required": mfa.mfa_required(user)}
    zone = selectors.user_time_zone(user=user)
    with timezone.override(zone):
        response = render(request, "accounts/profile.html", {**context, "time_zone": zone}, status=status)
    return response


@login_required
def profile(request):
    """Your account: your name and your language (the password has allauth's page), and your API tokens."""
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.user_profile_update(user=user, full_name=data["full_name"], language=data["language"])
        translation.activate(user.language)  # this answer already in the language just chosen
        messages.success(request, _("Your account is saved."))
        response = redirect("profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE, secure=settings.LANGUAGE_COOKIE_SECURE,
                            httponly=settings.LANGUAGE_COOKIE_HTTPONLY)
        return response
    return _profile_render(request, form=form, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def api_token_create(request):
    """Make a named API token; the answer is the account page showing its secret, this once and never again."""
    token_form = ApiTokenForm(request.POST)
    if token_form.is_valid():
        try:
            token, secret = services.api_token_create(user=request.user, name=token_form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(token_form, error)
        else:
            messages.success(request, _("The API token “%(name)s” is ready.") % {"name": token.name})
            response = _profile_render(request, new_secret=secret)
            add_never_cache_headers(response)  # the secret must not stay in any cache
            return response
    return _profile_render(request, token_form=token_form, status=400)


@login_required
def api_token_revoke(request, pk: int):
    """Asks first (GET), then revokes (POST) one of one's own tokens; anyone else's is a 404."""
    token = selectors.api_token_access(user=request.user, token_id=pk)
    if request.method == "POST":
        services.api_token_revoke(token=token)
        messages.success(request, _("The API token “%(name)s” was revoked: it no longer works.")
                         % {"name": token.name})
        return redirect("profile")
    return render(request, "accounts/api_token_revoke.html", {"token": token})
