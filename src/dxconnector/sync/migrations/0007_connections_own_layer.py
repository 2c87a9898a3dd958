"""Connections moved to their own app: the foreign keys point at `connections.Connection`, the very table they
always pointed at, so only Django's state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('connections', '0001_moved_from_portal'),
        ('sync', '0006_deletions_and_attempted_versions'),
    ]

    operations = [migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.AlterField(
            model_name='cursor',
            name='connection',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cursors', to='connections.connection'),
        ),
        migrations.AlterField(
            model_name='lease',
            name='connection',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='sync_lease', to='connections.connection'),
        ),
        migrations.AlterField(
            model_name='link',
            name='connection',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='connections.connection'),
        ),
        migrations.AlterField(
            model_name='queuedsync',
            name='connection',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='queued_sync', to='connections.connection'),
        ),
        migrations.AlterField(
            model_name='requestedrecord',
            name='connection',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requested_records', to='connections.connection'),
        ),
        migrations.AlterField(
            model_name='syncattempt',
            name='connection',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_attempts', to='connections.connection'),
        ),
        migrations.AlterField(
            model_name='syncrun',
            name='connection',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_runs', to='connections.connection'),
        ),
    ])]
