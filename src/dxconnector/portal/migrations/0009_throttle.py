from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_user_activated_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="Throttle",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(help_text="scope, what is counted, and the hash of its value", max_length=100, unique=True)),
                ("window_started_at", models.DateTimeField()),
                ("hits", models.PositiveIntegerField(default=0)),
            ],
        ),
    ]
