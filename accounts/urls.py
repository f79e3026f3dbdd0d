"""Routes of invitations (allauth wires login, logout and resets; the shape is explained in customers/urls.py)."""

from django.urls import path

from . import views

dealer_patterns = []
network_patterns = [
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:pk>/send-again/", views.invitation_send_again, name="invitation_send_again"),
]
api_patterns = []
public_patterns = [
    path("accounts/invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("account/invitations/", views.invitations_pending, name="invitations_pending"),
    path("account/invitations/<int:pk>/answer/", views.invitation_answer, name="invitation_answer"),
]
