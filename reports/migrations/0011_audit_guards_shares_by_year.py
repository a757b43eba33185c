"""The audit guards of migration 0008 on the history of the shares by year (programmes 0022)."""

from django.db import migrations

from programmes.audit import new_history_guards


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0022_project_shares_by_year"),
        ("reports", "0010_other_programmes"),
    ]

    operations = [migrations.RunPython(*new_history_guards("programmes_historicalprojectallocation"))]
