"""The demo builders' writes at the floor: primary keys reserved before the rows are written, rows streamed.

On PostgreSQL the ids come from the table's own sequence (``nextval`` over ``generate_series``, one query per
batch) and the rows go in with ``COPY … FROM STDIN``; elsewhere (SQLite, the laptop default) the ids are
counted on from the table's largest one and the rows go in with plain multi-row INSERTs. Either way every
value is final when it is written, the creation times included (``auto_now``/``auto_now_add`` fill only a
value left empty), so a builder never updates what it has just inserted, and rows referencing each other
(a repeat visit and its first visit) go in one pass.

Database triggers (the audit history) fire for every row as for any other insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone

# Field types whose Python value psycopg writes as it is (the builders give aware datetimes, dates, ints, str).
_AS_IS = {"AutoField", "BigAutoField", "SmallAutoField", "BigIntegerField", "IntegerField", "SmallIntegerField",
          "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "CharField", "TextField",
          "BooleanField", "DateField", "DateTimeField", "ForeignKey", "OneToOneField", "EmailField", "SlugField",
          "FloatField", "DurationField"}
_SQLITE_BATCH = 500


def concrete_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.generated]


class IdBlock:
    """Primary keys for ``model`` handed out ahead of the writes: exactly as many as asked for, or (``block``)
    at least that many at a time, the rest kept for the next rows.

    PostgreSQL draws them from the table's sequence, so concurrent builders (bench workers) never collide;
    SQLite counts on from the largest id (one builder at a time there).
    """

    def __init__(self, model: type[models.Model], block: int = 0):
        self.model, self.block = model, block
        self._free: list[int] = []
        self._next: int | None = None

    def take(self, count: int) -> list[int]:
        if connection.vendor != "postgresql":
            if self._next is None:
                table, column = self.model._meta.db_table, self.model._meta.pk.column
                with connection.cursor() as cursor:
                    cursor.execute(f'SELECT MAX("{column}") FROM "{table}"')  # noqa: S608 - model metadata
                    self._next = (cursor.fetchone()[0] or 0) + 1
            first, self._next = self._next, self._next + count
            return list(range(first, first + count))
        if count > len(self._free):
            self._free += reserve_ids(self.model, max(self.block, count - len(self._free)))
        taken, self._free = self._free[:count], self._free[count:]
        return taken

    def assign(self, objs: Iterable[models.Model]) -> None:
        """Give every row without a primary key one."""
        missing = [obj for obj in objs if obj.pk is None]
        for obj, pk in zip(missing, self.take(len(missing)), strict=True):
            obj.pk = pk


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys from ``model``'s sequence (PostgreSQL), in one query."""
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, column, count])
        return [row[0] for row in cursor.fetchall()]


def write_rows(model: type[models.Model], objs: Sequence[models.Model]) -> int:
    """Insert ``objs`` (primary keys set, see ``IdBlock``) as they are, in one COPY on PostgreSQL.

    A ``auto_now``/``auto_now_add`` field keeps a value it was given and takes the current time otherwise.
    Returns the number of rows written.
    """
    if not objs:
        return 0
    fields = concrete_fields(model)
    now = timezone.now()
    stamped = [field.attname for field in fields if getattr(field, "auto_now", False)
               or getattr(field, "auto_now_add", False)]
    for obj in objs:
        for attname in stamped:
            if getattr(obj, attname) is None or isinstance(getattr(obj, attname), DatabaseDefault):
                setattr(obj, attname, now)
    # A column left to its database default (in the first row, so in all: one builder makes them alike).
    fields = [field for field in fields if not isinstance(getattr(objs[0], field.attname), DatabaseDefault)]
    if connection.vendor != "postgresql":
        # One statement per batch (SQLite limits the bound parameters); ``raw`` keeps the values as given.
        batch = max(1, min(_SQLITE_BATCH, connection.ops.bulk_batch_size(fields, objs)))
        for start in range(0, len(objs), batch):
            model._base_manager._insert(objs[start:start + batch], fields=fields, raw=True,  # noqa: SLF001
                                        using=connection.alias)
        return len(objs)
    attnames = [field.attname for field in fields]
    prepare = [(index, field) for index, field in enumerate(fields) if field.get_internal_type() not in _AS_IS]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    with connection.cursor() as wrapper, wrapper.cursor.copy(
            f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:  # noqa: S608 - model metadata
        for obj in objs:
            row = [getattr(obj, attname) for attname in attnames]
            for index, field in prepare:
                row[index] = field.get_db_prep_save(row[index], connection)
            copy.write_row(row)
    return len(objs)
