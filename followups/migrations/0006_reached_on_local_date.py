"""Each reached call gets the local date it was reached, in its own dealer's time zone (the window rules
compare that date; see followups/rules.py)."""

from zoneinfo import ZoneInfo

from django.db import migrations, models


def backfill_reached_on(apps, schema_editor):
    FollowUpCall = apps.get_model("followups", "FollowUpCall")
    CallAnswer = apps.get_model("followups", "CallAnswer")
    calls = FollowUpCall._base_manager.filter(status="reached").select_related("dealer")
    for call in calls.iterator(chunk_size=1000):
        if call.reached_at is None:
            # Only a hand-written row lacks the moment: the answer's time is when the customer was reached.
            answer = CallAnswer._base_manager.filter(call_id=call.pk).order_by("answered_at").first()
            call.reached_at = answer.answered_at if answer else call.created_at
        call.reached_on = call.reached_at.astimezone(ZoneInfo(call.dealer.time_zone)).date()
        call.save(update_fields=["reached_at", "reached_on"])


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0005_anniversary_contacts'),
    ]

    operations = [
        migrations.AddField(
            model_name='followupcall',
            name='reached_on',
            field=models.DateField(blank=True, null=True, verbose_name="reached on (the dealer's local date)"),
        ),
        migrations.RunPython(backfill_reached_on, migrations.RunPython.noop),
    ]
