"""The API's pages (``REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]``); a module of its own, since DRF's generic
views import it while they load, before anything that imports them may be imported."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from dealer_portal.tenancy.scoping import current_scope


class Pagination(PageNumberPagination):
    """Pages of ``PAGE_SIZE``: ``?page=`` that is no whole number from 1 (empty, a word, ``last``, a decimal) is a
    400 on ``page``, since the request is malformed; a page past the last is a 404 in the error shape (the page
    does not exist, as one that existed before may no longer)."""

    last_page_strings = ()
    invalid_page_message = _("Invalid page: {message}.")

    def paginate_queryset(self, queryset, request, view=None):
        page = request.query_params.get(self.page_query_param)
        if page is not None and not (page.isascii() and page.isdigit() and int(page) >= 1):
            raise ValidationError({self.page_query_param: [_("Give a page number: a whole number from 1.")]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class CursorPagination(pagination.CursorPagination):
    """Pages of ``PAGE_SIZE`` along a stable order (``ordering``, ending with the primary key), for the big
    tables: ``next`` and ``previous`` carry an opaque ``?cursor=``, and no page counts the rows, so a page deep
    in the list costs what the first one does. A ``?cursor=`` that is not one of ours is a 400 on ``cursor``
    (the request is malformed, like a ``?page=`` that is no number)."""

    # The primary key alone: unique, so a cursor is a true keyset (rows that share a time, as a bulk import's
    # do, never make a page repeat or skip one), and newest first like the lists were.
    ordering = ("-pk",)
    invalid_cursor_message = _("Invalid cursor: follow the next and previous links of a page.")

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from error
        if cursor is not None and cursor == (0, False, None):  # empty, or no position: never one of our links
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        queryset = self._bounded(queryset)
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError) as error:  # a forged position ("p=") of no type
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from error

    @staticmethod
    def _bounded(queryset):
        """For a reader who sees one dealer, the list held between that dealer's lowest and highest key.

        PostgreSQL's planner assumes a dealer's rows spread evenly over the keys, so for a big dealer it walks the
        primary key down from the newest row of the whole table, filtering; a dealer whose rows are older than its
        neighbours' would pass every newer neighbour's row first. From the dealer's own newest key the walk meets
        the dealer's rows at once. The bounds come from its (dealer, id) index: ``dealer_id = ANY(...)`` keeps
        the dealer in the sort order (an equality would drop it and let the primary key answer again). The
        scoped queryset still decides what is seen; the bounds only say where to start.
        """
        scope = current_scope()
        owned = any(field.name == "dealer" for field in queryset.model._meta.concrete_fields)
        if not owned or connection.vendor != "postgresql" or scope.unrestricted or scope.network_ids \
                or scope.region_ids or len(scope.dealer_ids) != 1:
            return queryset
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        dealers = sorted(scope.dealer_ids)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT id FROM {table} WHERE dealer_id = ANY(%s) ORDER BY dealer_id, id LIMIT 1), "  # noqa: S608 - a model's table
                f"(SELECT id FROM {table} WHERE dealer_id = ANY(%s) ORDER BY dealer_id DESC, id DESC LIMIT 1)",
                [dealers, dealers])
            low, high = cursor.fetchone()
        if low is None:
            return queryset.none()
        return queryset.filter(pk__gte=low, pk__lte=high)
