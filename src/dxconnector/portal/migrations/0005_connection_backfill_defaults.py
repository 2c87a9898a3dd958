from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0004_dynamicsconnection_webhook_secret'),
    ]

    operations = [
        migrations.AddField(
            model_name='connection',
            name='default_sales_account_code',
            field=models.CharField(blank=True, help_text='written into the settings row in Dynamics on Create Connection', max_length=10),
        ),
        migrations.AddField(
            model_name='connection',
            name='sync_invoices_from',
            field=models.DateField(blank=True, help_text="the first sync's backfill: invoices delivered on or after this day (empty: all)", null=True),
        ),
    ]
