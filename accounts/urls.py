from django.urls import path

from . import views

urlpatterns = [
    path("accounts/invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("n/<slug:network_slug>/invitations/", views.invitation_list, name="invitation_list"),
    path("n/<slug:network_slug>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
