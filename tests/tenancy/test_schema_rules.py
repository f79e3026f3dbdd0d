"""The schema rules a dealer-sharded database (Citus distributed by dealer, docs/scaling.md) needs, as far as
they already hold: every uniqueness of a dealer-owned table includes the dealer, and its indexes lead with it.

Where a rule does not hold yet, the exception is listed here with its reason (docs/scaling.md, "Where the
schema meets it"), so that any new violation fails: a new model, constraint, index or foreign key either
keeps the rule or is added to a list below on purpose.
"""

import pytest
from django.apps import apps
from django.db import connection, models

from dealer_portal.tenancy.models import DealerOwnedModel

# Indexes of a dealer-owned model that do not lead with the dealer, and why.
INDEX_EXCEPTIONS = {
    # The outbox's sender claims unsent mail of every dealer by purpose (a network-wide queue, not a
    # dealer's page); distributed, it would run per shard.
    ("outbox.Email", "purpose"): "the outbox sender's network-wide queue",
}

# Foreign keys from one dealer-owned model to another that carry only the target's id, not (dealer, id).
# Citus needs the dealer in both columns lists (a composite foreign key) for a co-located join; today the
# dealer is checked in Python (the forms, services and DealerOwnedManager scope both rows to one dealer).
DEALER_FKS_WITHOUT_DEALER = {
    "complaints.Complaint.customer", "complaints.Complaint.service_job", "complaints.Complaint.vehicle",
    "complaints.Compliment.customer", "complaints.SolutionProposal.complaint", "complaints.TimelineEntry.complaint",
    "customers.Vehicle.customer",
    "followups.CallAnswer.call", "followups.CallAnswer.complaint", "followups.CallAttempt.call",
    "followups.FollowUpCall.complaint", "followups.FollowUpCall.customer", "followups.FollowUpCall.sales_handover",
    "followups.FollowUpCall.service_job", "followups.FollowUpCall.vehicle",
    "scoring.AssessmentEvent.assessment", "scoring.AssessmentEvidence.assessment",
    "scoring.AssessmentScore.assessment",
    "servicejobs.JobImportLine.job_import", "servicejobs.PromiseCheck.job", "servicejobs.PromisedTimeChange.job",
    "servicejobs.SalesHandover.customer", "servicejobs.SalesHandover.vehicle", "servicejobs.ServiceJob.customer",
    "servicejobs.ServiceJob.repeat_of", "servicejobs.ServiceJob.vehicle",
}

# Tables with a dealer column whose model is not a DealerOwnedModel: network-level rows that name a dealer
# (docs/scaling.md: reference tables or the network's shard, not distributed by dealer).
OTHER_TABLES_WITH_A_DEALER = {
    "accounts_invitation": "an invitation to a network, for a dealer role or not",
    "tenancy_membership": "a person's role in a network; the dealer is empty for HQ and regional roles",
    "scoring_rankingentry": "a line of the network's monthly ranking snapshot, one per dealer",
}


def _dealer_owned_models():
    return sorted((model for model in apps.get_models()
                   if issubclass(model, DealerOwnedModel) and not model._meta.proxy and model._meta.managed),
                  key=lambda model: model._meta.label)


def _fields_of(constraint_or_index) -> list[str]:
    return list(getattr(constraint_or_index, "fields", ()) or ())


def test_there_are_dealer_owned_models():
    labels = {model._meta.label for model in _dealer_owned_models()}
    assert {"servicejobs.ServiceJob", "servicejobs.PromiseCheck", "followups.FollowUpCall"} <= labels


def test_every_unique_constraint_of_a_dealer_owned_model_includes_the_dealer():
    violations = []
    for model in _dealer_owned_models():
        meta = model._meta
        for constraint in meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and (
                    "dealer" not in _fields_of(constraint) or constraint.expressions):
                violations.append(f"{meta.label}: {constraint.name} {_fields_of(constraint)}")
        for fields in meta.unique_together:
            if "dealer" not in fields:
                violations.append(f"{meta.label}: unique_together {list(fields)}")
        for field in meta.concrete_fields:
            if field.unique and not field.primary_key:
                violations.append(f"{meta.label}.{field.name}: unique=True alone (unique per dealer instead)")
    assert violations == [], "a uniqueness without the dealer cannot be checked on one dealer's shard"


def test_every_index_of_a_dealer_owned_model_leads_with_the_dealer():
    violations = []
    for model in _dealer_owned_models():
        meta = model._meta
        for index in meta.indexes:
            fields = [name.lstrip("-") for name in _fields_of(index)]
            if index.expressions or not fields or fields[0] != "dealer":
                violations.append(f"{meta.label}: {index.name} {fields}")
        for field in meta.concrete_fields:
            if field.db_index and not field.is_relation and not field.unique \
                    and (meta.label, field.name) not in INDEX_EXCEPTIONS:
                violations.append(f"{meta.label}.{field.name}: db_index=True (an index led by the dealer instead)")
    assert violations == []


def test_the_exceptions_listed_still_exist():
    """An exception that no longer applies is taken off its list (and docs/scaling.md)."""
    for (label, field_name) in INDEX_EXCEPTIONS:
        assert apps.get_model(label)._meta.get_field(field_name).db_index, (label, field_name)
    for path in DEALER_FKS_WITHOUT_DEALER:
        app_label, model_name, field_name = path.split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        assert field.is_relation and issubclass(field.related_model, DealerOwnedModel), path


def test_foreign_keys_between_dealer_owned_models_are_the_known_ones():
    found = {f"{model._meta.label}.{field.name}"
             for model in _dealer_owned_models() for field in model._meta.concrete_fields
             if field.is_relation and field.name != "dealer" and field.related_model is not None
             and issubclass(field.related_model, DealerOwnedModel)}
    assert found - DEALER_FKS_WITHOUT_DEALER == set(), "a new dealer-to-dealer-row foreign key: see docs/scaling.md"
    assert DEALER_FKS_WITHOUT_DEALER - found == set(), "listed but gone: take it off the list"


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("introspects PostgreSQL's catalogue")


def _indexes_of(table: str) -> list[tuple[str, bool, bool, list[str]]]:
    """(name, unique, primary, key columns in order) of each index of ``table``, from pg_index."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT index_class.relname, ix.indisunique, ix.indisprimary,
                   array(SELECT attribute.attname FROM unnest(ix.indkey) WITH ORDINALITY AS key(number, position)
                         JOIN pg_attribute attribute
                           ON attribute.attrelid = ix.indrelid AND attribute.attnum = key.number
                         ORDER BY key.position)
              FROM pg_index ix
              JOIN pg_class index_class ON index_class.oid = ix.indexrelid
              JOIN pg_class table_class ON table_class.oid = ix.indrelid
             WHERE table_class.relname = %s AND table_class.relnamespace = 'public'::regnamespace
        """, [table])
        return [(name, unique, primary, list(columns)) for name, unique, primary, columns in cursor.fetchall()]


@pytest.mark.django_db
def test_every_unique_index_in_the_database_includes_the_dealer(postgres_only):
    """Also what a migration's RunSQL or a unique=True created outside Meta: the primary key, (id) alone on
    every table today, is the one documented exception (docs/scaling.md: (dealer_id, id) under Citus)."""
    violations = []
    for model in _dealer_owned_models():
        for name, unique, primary, columns in _indexes_of(model._meta.db_table):
            if primary:
                assert columns == [model._meta.pk.column], (model._meta.db_table, name, columns)
            elif unique and "dealer_id" not in columns:
                violations.append(f"{model._meta.db_table}: {name} {columns}")
    assert violations == []


@pytest.mark.django_db
def test_every_index_in_the_database_leads_with_the_dealer_or_is_a_foreign_keys_own(postgres_only):
    """Django gives every foreign key its own one-column index (the lookups from the parent row and the
    checks of ON DELETE); those are the documented exception, with the listed ones. Anything else must lead
    with dealer_id."""
    violations = []
    for model in _dealer_owned_models():
        meta = model._meta
        foreign_key_columns = {field.column for field in meta.concrete_fields if field.is_relation}
        allowed = {meta.get_field(field_name).column for (label, field_name) in INDEX_EXCEPTIONS
                   if label == meta.label}
        for name, _unique, primary, columns in _indexes_of(meta.db_table):
            if primary or (columns and columns[0] == "dealer_id"):
                continue
            if len(columns) == 1 and (columns[0] in foreign_key_columns or columns[0] in allowed):
                continue
            violations.append(f"{meta.db_table}: {name} {columns}")
    assert violations == []


@pytest.mark.django_db
def test_the_tables_with_a_dealer_column_are_dealer_owned_or_listed(postgres_only):
    owned = {model._meta.db_table for model in _dealer_owned_models()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.columns "
                       "WHERE table_schema = 'public' AND column_name = 'dealer_id'")
        tables = {table for (table,) in cursor.fetchall()}
    history = {model._meta.db_table for model in apps.get_models() if model._meta.app_label == "audit"
               or model.__name__.endswith("History")}
    assert tables - owned - history - set(OTHER_TABLES_WITH_A_DEALER) == set()
    assert set(OTHER_TABLES_WITH_A_DEALER) <= tables
