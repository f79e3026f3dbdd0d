from .access import RequestTenancy
from .scoping import tenant_scope


class TenantScopeMiddleware:
    """Runs every request inside its tenant scope.

    The scope is resolved lazily from ``request.user`` and the dealer or network in the URL, so that
    API token authentication (which happens inside the view) is taken into account too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenancy = RequestTenancy(request)
        with tenant_scope(request.tenancy.scope):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.tenancy.set_target(view_kwargs)
        return None
