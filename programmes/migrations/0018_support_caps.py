"""Support caps (issue 21): the support items, the versioned cap rules with the confirmed KCQG rows of
Thông tư 28/2018/TT-BTC, and on each beneficiary line its support item, eligible cost, technology-line
flag and the decision that allows more than the cap.

SQLite rebuilds the beneficiary table here, so every trigger that names it is dropped first and
created again at the end (as in 0010, 0012 and 0016); PostgreSQL adds the columns in place.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from programmes.reference_data import install_support_caps
from programmes.triggers import (
    FILED_UNDER,
    FILED_UNDER_INDICATORS,
    beneficiary_link_create_sql,
    beneficiary_link_drop_sql,
    create_sql,
    drop_sql,
    filed_under_create_sql,
    filed_under_drop_sql,
    guard_create_sql,
    guard_drop_sql,
)


# Every trigger SQLite has on or naming the beneficiary table: (create, drop) for each set.
SQLITE_TRIGGERS = [
    (create_sql, drop_sql),
    (guard_create_sql, guard_drop_sql),
    (beneficiary_link_create_sql, beneficiary_link_drop_sql),
    (lambda vendor: filed_under_create_sql(vendor, FILED_UNDER), lambda vendor: filed_under_drop_sql(vendor, FILED_UNDER)),
    (
        lambda vendor: filed_under_create_sql(vendor, FILED_UNDER_INDICATORS),
        lambda vendor: filed_under_drop_sql(vendor, FILED_UNDER_INDICATORS),
    ),
]


def _sqlite_triggers(schema_editor, *, create: bool) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for create_set, drop_set in SQLITE_TRIGGERS:
        for statement in (create_set if create else drop_set)("sqlite"):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    _sqlite_triggers(schema_editor, create=False)


def create_triggers(apps, schema_editor):
    _sqlite_triggers(schema_editor, create=True)


def install(apps, schema_editor):
    install_support_caps(apps.get_model("programmes", "SupportItem"), apps.get_model("programmes", "SupportCap"))


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0017_attachments_storage_by_setting'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.CreateModel(
            name='SupportItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('search_text', models.TextField(default='', editable=False)),
                ('code', models.CharField(max_length=20, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=300, verbose_name='name')),
                ('number', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
            ],
            options={
                'verbose_name': 'support item',
                'verbose_name_plural': 'support items',
                'ordering': ['number', 'code'],
            },
        ),
        migrations.AddField(
            model_name='beneficiary',
            name='cap_exception',
            field=models.CharField(blank=True, help_text='The number of the decision that allows this support above its cap, e.g. 123/QĐ-UBND.', max_length=60, verbose_name='decision allowing more than the cap'),
        ),
        migrations.AddField(
            model_name='beneficiary',
            name='eligible_cost',
            field=models.BigIntegerField(blank=True, help_text='The approved estimate the percent cap is taken of (not support plus counterpart if other funds exist).', null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='eligible cost (đồng)'),
        ),
        migrations.AddField(
            model_name='beneficiary',
            name='technology_line',
            field=models.BooleanField(default=False, help_text='A whole line raises the machinery cap (× 1,5).', verbose_name='whole technology line'),
        ),
        migrations.AddField(
            model_name='historicalbeneficiary',
            name='cap_exception',
            field=models.CharField(blank=True, help_text='The number of the decision that allows this support above its cap, e.g. 123/QĐ-UBND.', max_length=60, verbose_name='decision allowing more than the cap'),
        ),
        migrations.AddField(
            model_name='historicalbeneficiary',
            name='eligible_cost',
            field=models.BigIntegerField(blank=True, help_text='The approved estimate the percent cap is taken of (not support plus counterpart if other funds exist).', null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='eligible cost (đồng)'),
        ),
        migrations.AddField(
            model_name='historicalbeneficiary',
            name='technology_line',
            field=models.BooleanField(default=False, help_text='A whole line raises the machinery cap (× 1,5).', verbose_name='whole technology line'),
        ),
        migrations.CreateModel(
            name='SupportCap',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('kcqg', 'National industry promotion (KCQG)'), ('kcdp', 'Local industry promotion (KCĐP)')], max_length=4, verbose_name='level')),
                ('document', models.CharField(help_text='e.g. Thông tư 28/2018/TT-BTC; Nghị quyết 08/2024/NQ-HĐND', max_length=200, verbose_name='legal document')),
                ('article', models.CharField(blank=True, help_text='e.g. Điều 8', max_length=40, verbose_name='article')),
                ('clause', models.CharField(blank=True, help_text='e.g. khoản 4', max_length=40, verbose_name='clause')),
                ('valid_from', models.DateField(verbose_name='in force from')),
                ('valid_to', models.DateField(blank=True, help_text='Empty: still in force.', null=True, verbose_name='in force until')),
                ('percent', models.DecimalField(blank=True, decimal_places=2, help_text='The highest share of the eligible cost, in %; empty: no percent cap.', max_digits=5, null=True, verbose_name='percent cap')),
                ('percent_base', models.CharField(blank=True, help_text='e.g. chi phí máy móc thiết bị', max_length=200, verbose_name='percent of')),
                ('amount', models.BigIntegerField(blank=True, help_text='Empty: no absolute cap.', null=True, verbose_name='absolute cap (đồng)')),
                ('unit', models.CharField(choices=[('co_so', 'facility'), ('mo_hinh', 'model'), ('doanh_nghiep', 'enterprise'), ('gian_hang', 'booth'), ('nhan_hieu', 'brand'), ('cum_cn', 'industrial cluster'), ('de_an', 'project')], default='co_so', max_length=12, verbose_name='cap per')),
                ('multiplier', models.DecimalField(blank=True, decimal_places=2, help_text='The absolute cap is multiplied by this when the condition holds (e.g. 1,5).', max_digits=4, null=True, verbose_name='multiplier')),
                ('multiplier_condition', models.CharField(blank=True, choices=[('day_chuyen', 'a whole technology line')], max_length=12, verbose_name='multiplier applies to')),
                ('eligibility', models.TextField(blank=True, verbose_name='eligibility notes')),
                ('province', models.ForeignKey(blank=True, help_text="Required for a KCĐP cap (the province's HĐND resolution); empty for KCQG.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='support_caps', to='programmes.province', verbose_name='province / city')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='caps', to='programmes.supportitem', verbose_name='support item')),
            ],
            options={
                'verbose_name': 'support cap',
                'verbose_name_plural': 'support caps',
                'ordering': ['level', 'province', 'item__number', '-valid_from'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalSupportCap',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('level', models.CharField(choices=[('kcqg', 'National industry promotion (KCQG)'), ('kcdp', 'Local industry promotion (KCĐP)')], max_length=4, verbose_name='level')),
                ('document', models.CharField(help_text='e.g. Thông tư 28/2018/TT-BTC; Nghị quyết 08/2024/NQ-HĐND', max_length=200, verbose_name='legal document')),
                ('article', models.CharField(blank=True, help_text='e.g. Điều 8', max_length=40, verbose_name='article')),
                ('clause', models.CharField(blank=True, help_text='e.g. khoản 4', max_length=40, verbose_name='clause')),
                ('valid_from', models.DateField(verbose_name='in force from')),
                ('valid_to', models.DateField(blank=True, help_text='Empty: still in force.', null=True, verbose_name='in force until')),
                ('percent', models.DecimalField(blank=True, decimal_places=2, help_text='The highest share of the eligible cost, in %; empty: no percent cap.', max_digits=5, null=True, verbose_name='percent cap')),
                ('percent_base', models.CharField(blank=True, help_text='e.g. chi phí máy móc thiết bị', max_length=200, verbose_name='percent of')),
                ('amount', models.BigIntegerField(blank=True, help_text='Empty: no absolute cap.', null=True, verbose_name='absolute cap (đồng)')),
                ('unit', models.CharField(choices=[('co_so', 'facility'), ('mo_hinh', 'model'), ('doanh_nghiep', 'enterprise'), ('gian_hang', 'booth'), ('nhan_hieu', 'brand'), ('cum_cn', 'industrial cluster'), ('de_an', 'project')], default='co_so', max_length=12, verbose_name='cap per')),
                ('multiplier', models.DecimalField(blank=True, decimal_places=2, help_text='The absolute cap is multiplied by this when the condition holds (e.g. 1,5).', max_digits=4, null=True, verbose_name='multiplier')),
                ('multiplier_condition', models.CharField(blank=True, choices=[('day_chuyen', 'a whole technology line')], max_length=12, verbose_name='multiplier applies to')),
                ('eligibility', models.TextField(blank=True, verbose_name='eligibility notes')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('province', models.ForeignKey(blank=True, db_constraint=False, help_text="Required for a KCĐP cap (the province's HĐND resolution); empty for KCQG.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.province', verbose_name='province / city')),
                ('item', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.supportitem', verbose_name='support item')),
            ],
            options={
                'verbose_name': 'historical support cap',
                'verbose_name_plural': 'historical support caps',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='beneficiary',
            name='support_item',
            field=models.ForeignKey(blank=True, help_text='What the support pays for; its cap in law is checked at approval.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.supportitem', verbose_name='support item'),
        ),
        migrations.AddField(
            model_name='historicalbeneficiary',
            name='support_item',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='What the support pays for; its cap in law is checked at approval.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.supportitem', verbose_name='support item'),
        ),
        migrations.AddConstraint(
            model_name='beneficiary',
            constraint=models.CheckConstraint(condition=models.Q(('eligible_cost__isnull', True), ('eligible_cost__gte', 0), _connector='OR'), name='beneficiary_eligible_cost_not_negative'),
        ),
        migrations.AddIndex(
            model_name='supportcap',
            index=models.Index(fields=['item', 'level', 'valid_from'], name='support_cap_lookup_idx'),
        ),
        migrations.AddConstraint(
            model_name='supportcap',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('level', 'kcqg'), ('province__isnull', True)), models.Q(('level', 'kcdp'), ('province__isnull', False)), _connector='OR'), name='support_cap_local_has_province'),
        ),
        migrations.AddConstraint(
            model_name='supportcap',
            constraint=models.CheckConstraint(condition=models.Q(('percent__isnull', False), ('amount__isnull', False), _connector='OR'), name='support_cap_has_a_limit'),
        ),
        migrations.AddConstraint(
            model_name='supportcap',
            constraint=models.CheckConstraint(condition=models.Q(('percent__isnull', True), models.Q(('percent__gt', 0), ('percent__lte', 100)), _connector='OR'), name='support_cap_percent_in_range'),
        ),
        migrations.AddConstraint(
            model_name='supportcap',
            constraint=models.CheckConstraint(condition=models.Q(('amount__isnull', True), ('amount__gt', 0), _connector='OR'), name='support_cap_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='supportcap',
            constraint=models.CheckConstraint(condition=models.Q(('multiplier__isnull', True), models.Q(('multiplier__gte', 1), models.Q(('multiplier_condition', ''), _negated=True)), _connector='OR'), name='support_cap_multiplier_has_condition'),
        ),
        migrations.AddConstraint(
            model_name='supportcap',
            constraint=models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='support_cap_dates_in_order'),
        ),
        migrations.AddIndex(
            model_name="facility",
            index=models.Index(fields=["current_province", "name_key"], name="facility_scope_name_key_idx"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
