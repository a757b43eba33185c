"""Programme kinds, consultancy services and the years of a facility's impact figures (issue 21,
points 3 and 4): a scheme belongs to a programme (khuyến công unless said otherwise, so every
existing scheme stays khuyến công); a province's paid consultancy per year with its revenue, filed
under its unit like a facility (the same composite key / triggers); a facility's figures before and
after support get their years and a count of products.

SQLite rebuilds the facility table to add the years' CHECK, so its filed-under triggers are dropped
first and created again at the end; PostgreSQL adds the columns and constraints in place.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from programmes.triggers import FILED_UNDER_CONSULTANCY, FILED_UNDER_FACILITY, filed_under_create_sql, filed_under_drop_sql


def drop_facility_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in filed_under_drop_sql("sqlite", FILED_UNDER_FACILITY):
            schema_editor.execute(statement)


def create_facility_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in filed_under_create_sql("sqlite", FILED_UNDER_FACILITY):
            schema_editor.execute(statement)


def create_consultancy_key(apps, schema_editor):
    for statement in filed_under_create_sql(schema_editor.connection.vendor, FILED_UNDER_CONSULTANCY):
        schema_editor.execute(statement)


def drop_consultancy_key(apps, schema_editor):
    for statement in filed_under_drop_sql(schema_editor.connection.vendor, FILED_UNDER_CONSULTANCY):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0019_quality_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_facility_triggers, create_facility_triggers),
        migrations.CreateModel(
            name='ConsultancyService',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                ('service', models.CharField(help_text='e.g. Tư vấn lập dự án đầu tư; tư vấn kiểm toán năng lượng', max_length=300, verbose_name='service')),
                ('contracts', models.PositiveIntegerField(default=0, verbose_name='number of contracts')),
                ('revenue', models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name='revenue (đồng)')),
                ('note', models.TextField(blank=True, verbose_name='note')),
            ],
            options={
                'verbose_name': 'consultancy service',
                'verbose_name_plural': 'consultancy services',
                'ordering': ['-year', 'service', 'id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalConsultancyService',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                ('service', models.CharField(help_text='e.g. Tư vấn lập dự án đầu tư; tư vấn kiểm toán năng lượng', max_length=300, verbose_name='service')),
                ('contracts', models.PositiveIntegerField(default=0, verbose_name='number of contracts')),
                ('revenue', models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name='revenue (đồng)')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical consultancy service',
                'verbose_name_plural': 'historical consultancy services',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='facility',
            name='impact_year_after',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='year of the figures after'),
        ),
        migrations.AddField(
            model_name='facility',
            name='impact_year_before',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='year of the figures before'),
        ),
        migrations.AddField(
            model_name='facility',
            name='products_after',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='products after support'),
        ),
        migrations.AddField(
            model_name='facility',
            name='products_before',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='products before support'),
        ),
        migrations.AddField(
            model_name='historicalfacility',
            name='impact_year_after',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='year of the figures after'),
        ),
        migrations.AddField(
            model_name='historicalfacility',
            name='impact_year_before',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='year of the figures before'),
        ),
        migrations.AddField(
            model_name='historicalfacility',
            name='products_after',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='products after support'),
        ),
        migrations.AddField(
            model_name='historicalfacility',
            name='products_before',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='products before support'),
        ),
        migrations.AddField(
            model_name='historicalscheme',
            name='programme',
            field=models.CharField(choices=[('khuyen_cong', 'industry promotion (khuyến công)'), ('nang_luong', 'energy efficiency and conservation'), ('khac', 'another programme of the centre')], default='khuyen_cong', help_text="Energy saving and the centre's other programmes are reported apart from khuyến công.", max_length=12, verbose_name='programme'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='programme',
            field=models.CharField(choices=[('khuyen_cong', 'industry promotion (khuyến công)'), ('nang_luong', 'energy efficiency and conservation'), ('khac', 'another programme of the centre')], default='khuyen_cong', help_text="Energy saving and the centre's other programmes are reported apart from khuyến công.", max_length=12, verbose_name='programme'),
        ),
        migrations.AddConstraint(
            model_name='facility',
            constraint=models.CheckConstraint(condition=models.Q(('impact_year_before__isnull', True), ('impact_year_after__isnull', True), ('impact_year_before__lte', models.F('impact_year_after')), _connector='OR'), name='facility_impact_years_in_order', violation_error_message='The year of the figures after support is before the year of those before.'),
        ),
        migrations.AddConstraint(
            model_name='scheme',
            constraint=models.CheckConstraint(condition=models.Q(('programme__in', ['khuyen_cong', 'nang_luong', 'khac'])), name='scheme_programme_known'),
        ),
        migrations.AddField(
            model_name='consultancyservice',
            name='current_province',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.province', verbose_name='province / city of today'),
        ),
        migrations.AddField(
            model_name='consultancyservice',
            name='province',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consultancy', to='programmes.province', verbose_name='province / city'),
        ),
        migrations.AddField(
            model_name='historicalconsultancyservice',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalconsultancyservice',
            name='province',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.province', verbose_name='province / city'),
        ),
        migrations.AddIndex(
            model_name='consultancyservice',
            index=models.Index(fields=['current_province', 'year'], name='consultancy_scope_year_idx'),
        ),
        migrations.AddConstraint(
            model_name='consultancyservice',
            constraint=models.CheckConstraint(condition=models.Q(('revenue__gte', 0)), name='consultancy_revenue_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='consultancyservice',
            constraint=models.UniqueConstraint(fields=('province', 'year', 'service'), name='consultancy_service_once_a_year', violation_error_message='This service is already recorded for this province and year.'),
        ),
            migrations.RunPython(create_facility_triggers, drop_facility_triggers),
        migrations.RunPython(create_consultancy_key, drop_consultancy_key),
    ]
