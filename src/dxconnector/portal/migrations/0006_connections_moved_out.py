"""The connection models now belong to `connections` (its 0001): gone from this app's state only; their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0005_connection_backfill_defaults'),
        ('connections', '0001_moved_from_portal'),
        ('sync', '0007_connections_own_layer'),
    ]

    operations = [migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.RemoveField(
            model_name='connection',
            name='owner',
        ),
        migrations.RemoveField(
            model_name='dynamicsconnection',
            name='connection',
        ),
        migrations.DeleteModel(
            name='XeroConnection',
        ),
        migrations.DeleteModel(
            name='Connection',
        ),
        migrations.DeleteModel(
            name='DynamicsConnection',
        ),
    ])]
