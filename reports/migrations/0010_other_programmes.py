"""A report draft may carry the centre's other programmes beside khuyến công (issue 21, point 4); the
audit guards of migration 0008 re-applied to every history table (the statements are idempotent), so
the consultancy services' history (programmes 0020) refuses UPDATE and DELETE too."""

from django.db import migrations, models

from programmes.audit import new_history_guards


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0020_programme_kinds_consultancy_impact_years"),
        ("reports", "0009_audit_guards_support_caps"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalreport",
            name="other_programmes",
            field=models.BooleanField(
                default=False,
                help_text="Adds a table of energy saving, the other programmes and consultancy, beside khuyến công.",
                verbose_name="with the centre's other programmes",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="other_programmes",
            field=models.BooleanField(
                default=False,
                help_text="Adds a table of energy saving, the other programmes and consultancy, beside khuyến công.",
                verbose_name="with the centre's other programmes",
            ),
        ),
        migrations.RunPython(*new_history_guards("programmes_historicalconsultancyservice")),
    ]
