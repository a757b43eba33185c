"""The audit guards of migration 0008 on the support caps' history (programmes 0018): re-applied to
every history table (the statements are idempotent), so the new one refuses UPDATE and DELETE too."""

from django.db import migrations

from programmes.audit import new_history_guards


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0018_support_caps"),
        ("reports", "0008_audit_guards"),
    ]

    operations = [migrations.RunPython(*new_history_guards("programmes_historicalsupportcap"))]
