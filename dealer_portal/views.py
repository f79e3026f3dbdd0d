"""The app shell: where each person lands, the dealer and network home pages, and health."""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from complaints.models import ComplaintPolicy
from complaints.models import Department as ComplaintDepartment
from complaints.selectors import daily_log_delivery, daily_log_for, representative_summary
from servicejobs.selectors import advisor_board

from .celery import app as celery_app
from .tenancy.decorators import dealer_page, network_page
from .tenancy.models import Dealer, Network, Role
from .tenancy.scheduler import scheduler_status
from .tenancy.scoping import tenant_scope


@login_required
def home(request):
    """One place: go straight there. Several: list them (networks for HQ, then dealers)."""
    tenancy = request.tenancy
    with tenant_scope(tenancy.user_scope):
        networks = [n for n in Network.objects.all() if tenancy.sees_network(n)]
        dealers = list(Dealer.objects.filter(is_active=True).select_related("network", "region")[:201])
    if len(networks) == 1 and all(d.network_id == networks[0].pk for d in dealers):
        return redirect("network_home", networks[0].slug)
    if not networks and len(dealers) == 1:
        return redirect("dealer_home", dealers[0].network.slug, dealers[0].code)
    return render(request, "dealer_portal/home.html", {"networks": networks, "dealers": dealers[:200]})


@dealer_page
def dealer_home(request, dealer):
    roles = request.tenancy.roles_here()
    context = {
        "board": advisor_board(dealer=dealer) if Role.SERVICE_ADVISOR in roles else None,
        "complaints": _complaint_summary(request, dealer) if Role.CUSTOMER_REPRESENTATIVE in roles else None,
        "daily_logs": _daily_logs(request, dealer) if Role.DEALER_MANAGER in roles else [],
        "dealer": dealer,
        "now_local": timezone.localtime(),
        "is_advisor": Role.SERVICE_ADVISOR in roles,
        "is_representative": Role.CUSTOMER_REPRESENTATIVE in roles,
        "is_manager": Role.DEALER_MANAGER in roles,
        "is_hq": bool(roles & {Role.HQ_ANALYST, Role.NETWORK_ADMIN, Role.REGIONAL_MANAGER})
        or request.user.is_superuser,
    }
    return render(request, "dealer_portal/dealer_home.html", context)


def _complaint_summary(request, dealer) -> dict:
    """The representative's queue at a glance: their open complaints, how many are overdue, unassigned ones."""
    return representative_summary(policy=ComplaintPolicy.objects.for_network(dealer.network), user=request.user)


def _daily_logs(request, dealer) -> list:
    """The manager's complaint log for each department they manage here: the same log as the morning email,
    and whether today's email went out."""
    departments = request.tenancy.managed_departments()
    now = timezone.now()
    today = timezone.localtime(now, dealer.zone).date()
    return [(ComplaintDepartment(department).label, daily_log_for(department=department, now=now, dealer=dealer),
             daily_log_delivery(dealer=dealer, manager=request.user, department=department, day=today))
            for department in departments]


@network_page
def network_home(request, network):
    """HQ's overview: every dealer it may see in the network, grouped by region."""
    dealers = list(Dealer.objects.select_related("region").order_by("region__name", "name"))
    by_region = defaultdict(list)
    for dealer in dealers:
        by_region[dealer.region].append(dealer)
    return render(request, "dealer_portal/network_home.html", {
        "network": network,
        "regions": list(by_region.items()),
        "dealer_count": len(dealers),
        "active_count": sum(1 for dealer in dealers if dealer.is_active),
        "is_network_admin": request.tenancy.is_network_admin(network),
    })


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - health reports any failure instead of raising
        return f"error: {error.__class__.__name__}"
    return "ok"


def _broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return f"error: {error.__class__.__name__}"
    return "ok"


def _scheduler_status() -> dict:
    if celery_app.conf.task_always_eager:
        return {"scheduler": "in-process", "scheduler_last_run": None}  # the laptop demo: no beat to wait for
    return scheduler_status(now=timezone.now())


@never_cache
def healthz(request):
    """503 when this server cannot work (database, broker); the scheduler is reported, never a reason to fail.

    Anyone (a load balancer, a container healthcheck) learns only ``ok`` or ``failing``; which part fails, and
    the scheduler's last run, are for staff signed in, since they tell an attacker what the platform runs on.
    """
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value in ("ok", "in-process") for value in checks.values())
    body = {"status": "ok" if healthy else "failing"}
    if request.user.is_authenticated and (request.user.is_staff or request.user.is_superuser):
        body |= {**checks, **_scheduler_status()}
    return JsonResponse(body, status=200 if healthy else 503)


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def api_error(message, status: int) -> JsonResponse:
    """The API's one error body (see ``dealer_portal.api.exception_handler``), for errors outside DRF's views."""
    return JsonResponse({"detail": str(message), "errors": {}}, status=status)


def bad_request(request, exception=None, message=None):
    """400 for a request refused before any view runs (malformed, a NUL byte), 413 for one too large: JSON for
    the API, the 400 page elsewhere."""
    status = 400
    if message is None and isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        message = _("What was sent is larger than the %(limit).1f MB a form or API request may carry: shorten "
                    "the text, or upload files where files are asked for.") % {"limit": limit}
        status = 413
    elif message is None:
        message = _("The request could not be understood. Check what was sent and try again.")
    if is_api(request):
        return api_error(message, status)
    return render(request, "400.html", {"message": message}, status=status)


def permission_denied(request, exception=None):
    if is_api(request):
        return api_error(_("You do not have permission to perform this action."), 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    """404: JSON under /api/ also for a route that does not exist, the page elsewhere."""
    if is_api(request):
        return api_error(_("Not found."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        return api_error(_("Something went wrong on our side. The error was recorded; try again in a moment."),
                          500)
    return defaults.server_error(request)


# How long a client should wait before trying again when the background service is down.
RETRY_AFTER_SECONDS = 120


def service_unavailable(request, message=None):
    """503 when the background service is down: the message says what was kept; ``Retry-After`` when to retry."""
    if message is None:
        message = _("The background service is unavailable; try again in a few minutes.")
    if is_api(request):
        response = api_error(message, 503)
    else:
        response = render(request, "503.html", {"message": message}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def admin_login_signed_in(request, extra_context=None):
    """The admin's login page for someone already signed in (allauth's login page takes everyone else): on to
    where they were going, never Django's own password form, which would sign in without the second factor."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = reverse("admin:index")
    return redirect(next_url)
