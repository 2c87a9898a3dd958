from typing import Any

from django.db import migrations, models


def mark_finished_registrations(apps: Any, schema_editor: Any) -> None:
    """Accounts that are active, or have a password (set when a registration is finished), were activated; an inactive one
    with a password was switched off by the operator. Unfinished registrations have no usable password."""
    User = apps.get_model("portal", "User")
    for user in User.objects.filter(activated_at__isnull=True):
        if user.is_active or (user.password and not user.password.startswith("!")):
            user.activated_at = user.date_joined
            user.save(update_fields=["activated_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_invoice_questions"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="activated_at",
            field=models.DateTimeField(blank=True, help_text="when the account first became active", null=True),
        ),
        migrations.RunPython(mark_finished_registrations, migrations.RunPython.noop),
    ]
