from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No self-sign-up: people join through a network admin's invitation."""

    def is_open_for_signup(self, request):
        return False
