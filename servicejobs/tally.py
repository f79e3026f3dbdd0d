"""The promise tallies (``PromiseTally``): a dealer's promise checks counted per local day, advisor and promise.

PostgreSQL keeps them with statement-level triggers on the checks, in the transaction that writes the checks:
each INSERT, UPDATE or DELETE of checks adds or subtracts its rows' counts grouped by bucket, one upsert per
statement (a ``COPY`` of a million checks is one grouped upsert, not a million). The buckets are written in key
order, so two transactions that share buckets take their row locks in the same order and wait instead of
deadlocking. A check counts on the local date of its job's arrival in its dealer's time zone; a dealer whose zone
changes has its tallies counted again. A check whose job has not arrived counts nowhere, as on the dashboard.

Elsewhere (SQLite, the laptop default) there are no triggers: the dashboard reads the checks themselves, and
``uses_tallies`` says which.
"""

from __future__ import annotations

import pgtrigger
from django.db import connection

TALLY = "servicejobs_promisetally"
CHECK = "servicejobs_promisecheck"

# The counts of a set of checks ``c`` (a table or a transition table) per bucket, multiplied by ``sign``.
_GROUPED = """
    SELECT c.dealer_id, (c.job_arrived_at AT TIME ZONE d.time_zone)::date, c.job_advisor_id, c.number,
           {sign} * count(*), {sign} * count(*) FILTER (WHERE c.status = 'kept'),
           {sign} * count(*) FILTER (WHERE c.status = 'broken')
    FROM {rows} c JOIN tenancy_dealer d ON d.id = c.dealer_id
    WHERE c.job_arrived_at IS NOT NULL {where}
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
"""

_UPSERT = """
    INSERT INTO servicejobs_promisetally AS t (dealer_id, day, advisor_id, number, checks, kept, broken)
    {grouped}
    ON CONFLICT (dealer_id, day, advisor_id, number) DO UPDATE
    SET checks = t.checks + EXCLUDED.checks, kept = t.kept + EXCLUDED.kept, broken = t.broken + EXCLUDED.broken;
"""

# An updated check moves buckets only if one of the values its bucket and counts depend on changed.
_MOVED = """(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.dealer_id, o.job_arrived_at, o.job_advisor_id, o.number, o.status)
          IS DISTINCT FROM (n.dealer_id, n.job_arrived_at, n.job_advisor_id, n.number, n.status))"""


def _upsert(rows: str, sign: int, where: str = "") -> str:
    return _UPSERT.format(grouped=_GROUPED.format(rows=rows, sign=sign, where=where))


def recount_sql(dealer: str) -> str:
    """SQL that counts the tallies of the dealer whose id is the SQL expression ``dealer`` again from its checks."""
    delete = f"DELETE FROM {TALLY} WHERE dealer_id = {dealer};"  # noqa: S608 - our constants, never input
    return delete + _upsert(CHECK, 1, f"AND c.dealer_id = {dealer}")


TRIGGERS = (
    pgtrigger.Trigger(
        name="promise_tally_insert", when=pgtrigger.After, operation=pgtrigger.Insert, level=pgtrigger.Statement,
        referencing=pgtrigger.Referencing(new="new_rows"),
        func=_upsert("new_rows", 1) + "RETURN NULL;",
    ),
    pgtrigger.Trigger(
        name="promise_tally_update", when=pgtrigger.After, operation=pgtrigger.Update, level=pgtrigger.Statement,
        referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
        func=_upsert(_MOVED.format(side="o"), -1) + _upsert(_MOVED.format(side="n"), 1) + "RETURN NULL;",
    ),
    pgtrigger.Trigger(
        name="promise_tally_delete", when=pgtrigger.After, operation=pgtrigger.Delete, level=pgtrigger.Statement,
        referencing=pgtrigger.Referencing(old="old_rows"),
        func=_upsert("old_rows", -1) + "RETURN NULL;",
    ),
)

# On tenancy_dealer: a dealer's days are its local dates, so a new time zone counts its tallies again.
DEALER_ZONE_TRIGGER = pgtrigger.Trigger(
    name="promise_tallies_follow_zone", when=pgtrigger.After, operation=pgtrigger.UpdateOf("time_zone"),
    condition=pgtrigger.Condition("OLD.time_zone IS DISTINCT FROM NEW.time_zone"),
    func=recount_sql("NEW.id") + "RETURN NULL;",
)


def uses_tallies() -> bool:
    """Whether the tallies are kept here (PostgreSQL's triggers); elsewhere readers count the checks."""
    return connection.vendor == "postgresql"
