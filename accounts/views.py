from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.decorators import network_page
from dealer_portal.tenancy.models import Role
from outbox.models import EmailStatus

from . import services
from .forms import InvitationAcceptForm, InvitationForm
from .models import Invitation


@network_page(roles=(Role.NETWORK_ADMIN,))
def invitation_list(request, network):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                network=network, invited_by=request.user, email=data["email"], full_name=data["full_name"],
                role=data["role"], dealer=data["dealer"], region=data["region"], department=data["department"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            invitation.refresh_from_db(fields=["email_status"])  # sent already if a worker (or eager mode) was quick
            sent = invitation.email_status == EmailStatus.SENT
            if invitation.is_role_notice and sent:
                messages.success(request, _("%(email)s already has an account: the role was added and they "
                                            "were told by email.") % {"email": invitation.email})
            elif invitation.is_role_notice:
                messages.success(request, _("%(email)s already has an account: the role was added; the email "
                                            "telling them is on its way.") % {"email": invitation.email})
            elif sent:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            else:
                messages.success(request, _("Invitation saved for %(email)s; the email is on its way.")
                                 % {"email": invitation.email})
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
        raise Http404("No such invitation.")
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("invitation_list", network.slug)


@network_page(roles=(Role.NETWORK_ADMIN,))
@require_POST
def invitation_send_again(request, network, pk: int):
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    if not services.invitation_email_resend(invitation=invitation, site_url=request.build_absolute_uri("/")):
        messages.warning(request, _("The email to %(email)s cannot be sent again: the invitation is no longer "
                                    "open, or a send is under way.") % {"email": invitation.email})
    elif invitation.is_role_notice:
        messages.success(request, _("The email to %(email)s will be sent again.") % {"email": invitation.email})
    else:
        messages.success(request, _("The email to %(email)s will be sent again, with a new link.")
                         % {"email": invitation.email})
    return redirect("invitation_list", network.slug)


def invitation_accept(request, token: str):
    """Public: the invited person chooses a password. Unknown links 404; used or expired ones 410."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnusable as problem:
        return render(request, "accounts/invitation_unusable.html", {"message": problem.message},
                      status=410 if problem.known else 404)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email,
                                initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = services.invitation_accept(token=token, password=form.cleaned_data["password1"],
                                                  full_name=form.cleaned_data["full_name"])
        except services.InvitationUnusable as problem:
            return render(request, "accounts/invitation_unusable.html", {"message": problem.message}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("home")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation},
                  status=400 if request.method == "POST" else 200)


class PasswordResetView(allauth_views.PasswordResetView):
    """allauth's reset request, except that when the email could not be sent the form is shown again with the
    adapter's message (503) instead of the page that says it was sent."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if getattr(self.request, "email_not_sent", False):
            return self.render_to_response(self.get_context_data(form=form), status=503)
        return response


password_reset = PasswordResetView.as_view()
