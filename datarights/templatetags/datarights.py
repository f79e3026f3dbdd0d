"""``{% customer_data_rights customer %}``: the customer page's data-rights actions, for those who may use them
(lower apps show this panel through the tag, never by importing this app)."""

from django import template

from ..access import may_manage_customer_data
from ..selectors import customer_erasure

register = template.Library()


@register.inclusion_tag("datarights/_customer_actions.html", takes_context=True)
def customer_data_rights(context, customer):
    request = context["request"]
    allowed = may_manage_customer_data(request)
    return {"customer": customer, "dealer": context["dealer"], "allowed": allowed,
            "erasure": customer_erasure(customer) if allowed else None}
