"""What service jobs tell the apps above them, sent inside the writing transaction (so a listener's rows
commit or roll back with the delivery). Follow-up calls listen; this app never imports them."""

from django.dispatch import Signal

# A car was handed to its customer: a service job delivered (by a step or the DMS import) or a new-car
# handover recorded. Arguments: ``delivery`` (the ServiceJob or SalesHandover, saved) and ``policy``
# (the network's PromisePolicy).
delivery_recorded = Signal()
