from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0006_reached_on_local_date'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='followupcall',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reached_at__isnull', False), ('reached_on__isnull', False), ('status', 'reached')), models.Q(models.Q(('status', 'reached'), _negated=True), ('reached_at__isnull', True), ('reached_on__isnull', True)), _connector='OR'), name='followup_reached_with_its_local_date'),
        ),
    ]
