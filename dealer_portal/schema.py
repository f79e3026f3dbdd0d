"""The OpenAPI schema documents the errors every operation can answer, in the one shape the API gives them.

``dealer_portal.api.exception_handler`` answers every error as ``{"detail": "...", "errors": {field: [...]}}``;
this hook (in ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``) adds that body as the ``Error`` component and,
to each operation, the statuses it can answer besides its own: 400 where it takes input (a body, a query or a
worded path parameter such as a month) or writes, 401 and 403 where a login is needed, 404 where the path names
a row (another dealer's row is 404 too) or a list is paged (a page past the last). An operation that documents
one of these itself keeps its own.
"""

from django.utils.translation import gettext_lazy as _

ERROR_COMPONENT = {
    "type": "object",
    "description": "Every API error: a message, and the messages for each field when the input was refused.",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Field name → its messages; a nested or listed field nests the same shape.",
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "array", "items": {"type": "object"}},
                    {"type": "object"},
                ],
            },
        },
    },
    "required": ["detail", "errors"],
}

ERROR_DESCRIPTIONS = {
    "400": _("Invalid input: the messages for each field are in errors."),
    "401": _("Not logged in: send Authorization: Token <key> or a session cookie."),
    "403": _("Your role may not do this here."),
    "404": _("No such row among the dealers you may see, or no such page."),
}

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
WRITE_METHODS = ("put", "post", "patch")  # a write can be refused by a rule of the row's state, with a 400


def _needs_login(operation: dict, default_security: list) -> bool:
    security = operation.get("security", default_security)
    return bool(security) and {} not in security


def _error_statuses(method: str, operation: dict, default_security: list) -> list[str]:
    locations = {parameter.get("in") for parameter in operation.get("parameters", [])}
    statuses = []
    worded_path = any(parameter.get("in") == "path" and parameter.get("schema", {}).get("type") != "integer"
                      for parameter in operation.get("parameters", []))  # a month in the path: "2031-05" is refused
    if "requestBody" in operation or "query" in locations or method in WRITE_METHODS or worded_path:
        statuses.append("400")
    if _needs_login(operation, default_security):
        statuses += ["401", "403"]
    pages = any(parameter.get("name") == "page" for parameter in operation.get("parameters", []))
    if "path" in locations or pages:
        statuses.append("404")
    return statuses


def error_responses_document(result, generator, request, public):
    """Postprocessing hook: the ``Error`` component, and each operation's error statuses that point to it."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_COMPONENT
    reference = {"$ref": "#/components/schemas/Error"}
    default_security = result.get("security", [])
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in _error_statuses(method, operation, default_security):
                responses.setdefault(status, {"description": str(ERROR_DESCRIPTIONS[status]),
                                              "content": {"application/json": {"schema": reference}}})
    return result
