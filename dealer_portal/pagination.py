"""The API's pages (``REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]``); a module of its own, since DRF's generic
views import it while they load, before anything that imports them may be imported."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


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
