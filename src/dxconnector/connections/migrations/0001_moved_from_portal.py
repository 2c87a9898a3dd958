"""The connection models, made by the portal app's migrations (0001–0005), become this app's: in Django's state
only; their tables keep their names (`db_table`) and nothing in the database changes."""

import django.db.models.deletion
import django.utils.timezone
import dxconnector.vault
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('portal', '0005_connection_backfill_defaults'),
    ]

    operations = [migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.CreateModel(
            name='Connection',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(choices=[('dynamics_xero', 'Dynamics Xero Connector')], default='dynamics_xero', max_length=32)),
                ('name', models.CharField(blank=True, max_length=120)),
                ('time_zone', models.CharField(blank=True, max_length=64)),
                ('default_sales_account_code', models.CharField(blank=True, help_text='written into the settings row in Dynamics on Create Connection', max_length=10)),
                ('sync_invoices_from', models.DateField(blank=True, help_text="the first sync's backfill: invoices delivered on or after this day (empty: all)", null=True)),
                ('status', models.CharField(choices=[('draft', 'Setting up'), ('created', 'Created')], default='draft', max_length=16)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('trial_started_at', models.DateTimeField(blank=True, null=True)),
                ('trial_ends_at', models.DateTimeField(blank=True, null=True)),
                ('subscription_active', models.BooleanField(default=False, help_text='Set by the operator when the customer pays.')),
                ('last_synced_at', models.DateTimeField(blank=True, null=True)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='connections', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'portal_connection',
                'ordering': ['created_at'],
            },
        ),
        migrations.CreateModel(
            name='DynamicsConnection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('mode', models.CharField(choices=[('user', 'Signed-in user'), ('app', 'Application user (client credentials)')], default='user', max_length=8)),
                ('token_cache', dxconnector.vault.EncryptedTextField(blank=True, default='')),
                ('home_account_id', models.CharField(blank=True, max_length=200)),
                ('username', models.CharField(blank=True, max_length=254)),
                ('tenant_id', models.CharField(blank=True, max_length=64)),
                ('organisations', models.JSONField(blank=True, default=list)),
                ('org_id', models.CharField(blank=True, max_length=64)),
                ('org_url', models.URLField(blank=True, max_length=300)),
                ('org_name', models.CharField(blank=True, max_length=200)),
                ('org_unique_name', models.CharField(blank=True, max_length=100)),
                ('connected_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('selected_at', models.DateTimeField(blank=True, null=True)),
                ('webhook_secret', dxconnector.vault.EncryptedTextField(blank=True, default='', help_text="what Dynamics' webhook calls must present")),
                ('connection', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='dynamics', to='connections.connection')),
            ],
            options={
                'db_table': 'portal_dynamicsconnection',
            },
        ),
        migrations.CreateModel(
            name='XeroConnection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tenant_id', models.CharField(blank=True, max_length=64)),
                ('tenant_name', models.CharField(blank=True, max_length=255)),
                ('xero_connection_id', models.CharField(blank=True, max_length=64)),
                ('auth_event_id', models.CharField(blank=True, max_length=64)),
                ('organisation_timezone', models.CharField(blank=True, help_text="Xero's Windows-style zone name", max_length=64)),
                ('pending_tenants', models.JSONField(blank=True, default=list)),
                ('access_token', dxconnector.vault.EncryptedTextField()),
                ('refresh_token', dxconnector.vault.EncryptedTextField()),
                ('id_token', dxconnector.vault.EncryptedTextField(blank=True, default='')),
                ('expires_at', models.DateTimeField()),
                ('scope', models.TextField(blank=True)),
                ('connected_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('tokens_saved_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('connection', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='xero', to='connections.connection')),
            ],
            options={
                'db_table': 'portal_xeroconnection',
            },
        ),
    ])]
