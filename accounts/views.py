from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.decorators import network_page
from dealer_portal.tenancy.models import Role

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
                accept_url_builder=lambda token: request.build_absolute_uri(
                    reverse("invitation_accept", args=[token])),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if invitation is None:
                messages.success(request, _("%(email)s already has an account: the role was added and they "
                                            "were told by email.") % {"email": data["email"]})
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
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
