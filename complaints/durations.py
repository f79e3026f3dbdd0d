"""How long, in words people read ("2 d 5 h"), worded in the active language when shown."""

from datetime import timedelta

from django.utils.translation import gettext as _

ZERO = timedelta(0)


def duration_words(value: timedelta) -> str:
    """``2 d 5 h`` / ``5 h 10 min`` / ``10 min``: how late, for people, not to the second."""
    minutes = int(max(value, ZERO).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}
