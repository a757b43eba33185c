"""The attachments' storage chosen by the STORAGES setting (disk or a shared bucket): state only.

Nothing changes in the database; SQLite would otherwise rebuild the attachments table for it (and
trip the triggers that name it).
"""

from django.db import migrations, models

import programmes.models
import programmes.storage


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0016_payments_digest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="attachment",
                    name="file",
                    field=models.FileField(
                        max_length=300,
                        storage=programmes.storage.attachment_storage,
                        upload_to=programmes.models.attachment_path,
                        verbose_name="file",
                    ),
                ),
            ]
        )
    ]
