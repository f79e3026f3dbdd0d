"""What complaint recovery tells the apps above it, sent inside the writing transaction."""

from django.dispatch import Signal

# A complaint was closed with the customer satisfied. Arguments: ``complaint`` (saved, locked) and
# ``policy`` (the network's ComplaintPolicy). Follow-up calls schedule the re-check call.
complaint_closed_satisfied = Signal()
