"""A new car is handed over once per dealer. Existing rows are checked first: a car with two handovers would make
the constraint fail with a bare database error, so the migration names them instead (a person decides which of
the two is real; each may already have its follow-up call, so nothing is deleted here)."""

from django.db import migrations, models
from django.db.models import Count


def refuse_cars_handed_over_twice(apps, schema_editor):
    SalesHandover = apps.get_model("servicejobs", "SalesHandover")
    twice = list(SalesHandover.objects.values("dealer_id", "vehicle_id").annotate(count=Count("pk"))
                 .filter(count__gt=1).order_by("dealer_id", "vehicle_id")[:20])
    if twice:
        cars = ", ".join(f"dealer {row['dealer_id']} vehicle {row['vehicle_id']} ({row['count']}×)" for row in twice)
        raise RuntimeError(f"These cars have more than one new-car handover: {cars}. Keep one handover per car "
                           "(and its follow-up call) before migrating.")


class Migration(migrations.Migration):

    dependencies = [
        ("servicejobs", "0003_job_arrived_index"),
    ]

    operations = [
        migrations.RunPython(refuse_cars_handed_over_twice, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="saleshandover",
            constraint=models.UniqueConstraint(
                fields=("dealer", "vehicle"), name="handover_once_per_car_and_dealer",
                violation_error_message="This car's handover is already recorded at this dealer.",
            ),
        ),
    ]
