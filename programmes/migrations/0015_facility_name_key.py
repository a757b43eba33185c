"""Facilities without a tax code are told apart by their name in their province (issue 16).

Fills `name_key` (the normalised, case-folded name) and adds the unique index over it for the rows
without a tax code. Where two such facilities already share a name in a province, the migration
stops and names them: give one its tax code (or rename it, or merge them) and migrate again.
"""

import unicodedata
from collections import defaultdict

from django.db import migrations, models

from programmes.lib.text import normalise


def fill_name_keys(apps, schema_editor):
    Facility = apps.get_model("programmes", "Facility")
    seen = defaultdict(list)
    batch = []
    for facility in Facility.objects.only("id", "name", "tax_code", "current_province_id").iterator(chunk_size=5_000):
        facility.name_key = normalise(unicodedata.normalize("NFC", facility.name or "")).casefold()
        batch.append(facility)
        if not facility.tax_code:
            seen[(facility.current_province_id, facility.name_key)].append(facility)
        if len(batch) >= 5_000:
            Facility.objects.bulk_update(batch, ["name_key"])
            batch = []
    if batch:
        Facility.objects.bulk_update(batch, ["name_key"])
    twins = [group for group in seen.values() if len(group) > 1]
    if twins:
        lines = "\n".join(
            " · ".join(f"#{facility.pk} “{facility.name}”" for facility in group) for group in twins[:50]
        )
        raise RuntimeError(
            "Các cơ sở sau không có mã số thuế và trùng tên trong cùng một tỉnh; nhập mã số thuế, đổi tên hoặc "
            f"gộp chúng rồi chạy lại migrate:\n{lines}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0014_disbursement_entry_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="facility",
            name="name_key",
            field=models.CharField(blank=True, editable=False, max_length=600, null=True),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="facility",
            constraint=models.UniqueConstraint(
                condition=models.Q(("tax_code__isnull", True)),
                fields=("current_province", "name_key"),
                name="facility_name_unique_without_tax_code",
            ),
        ),
    ]
