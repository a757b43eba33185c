"""Install provinces (63 before and 34 after 1/7/2025), communes, activity contents, national
bodies and schemes, so every new database is ready to use."""

from django.db import migrations


def install(apps, schema_editor):
    from programmes.reference_data import install_reference_data

    install_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("programmes", "0002_running_totals_triggers")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
