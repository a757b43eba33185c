"""A multi-year đề án's shares by year (issue 21, point 6), and the database's check of them at commit;
the reports' covering index of a year's đề án gains its last year."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from programmes.triggers import shares_check_create_sql, shares_check_drop_sql


def create_check(apps, schema_editor):
    for statement in shares_check_create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def drop_check(apps, schema_editor):
    for statement in shares_check_drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)



class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0021_voucher_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalProjectAllocation',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                ('kc_support', models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name='KC support (đồng)')),
                ('counterpart_funds', models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name='counterpart funds (đồng)')),
                ('other_funds', models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name='other funds (đồng)')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical share of a year',
                'verbose_name_plural': 'historical shares by year',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ProjectAllocation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                ('kc_support', models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name='KC support (đồng)')),
                ('counterpart_funds', models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name='counterpart funds (đồng)')),
                ('other_funds', models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name='other funds (đồng)')),
            ],
            options={
                'verbose_name': 'share of a year',
                'verbose_name_plural': 'shares by year',
                'ordering': ['project', 'year'],
            },
        ),
        migrations.RemoveIndex(
            model_name='project',
            name='project_report_idx',
        ),
        migrations.AddField(
            model_name='project',
            name='final_year',
            field=models.PositiveSmallIntegerField(editable=False, null=True, verbose_name='last year of its shares'),
        ),
        migrations.AddIndex(
            model_name='project',
            index=models.Index(fields=['year', 'current_province'], include=('id', 'province', 'plan', 'content', 'status', 'decision_date', 'started_on', 'accepted_on', 'stopped_on', 'settled_on', 'end_date', 'kc_support', 'counterpart_funds', 'disbursed_amount', 'first_paid_on', 'advanced_amount', 'final_year'), name='project_report_idx'),
        ),
        migrations.AddField(
            model_name='historicalprojectallocation',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalprojectallocation',
            name='project',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.project', verbose_name='project'),
        ),
        migrations.AddField(
            model_name='projectallocation',
            name='project',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='allocations', to='programmes.project', verbose_name='project'),
        ),
        migrations.AddIndex(
            model_name='projectallocation',
            index=models.Index(fields=['year', 'project'], name='allocation_year_idx'),
        ),
        migrations.AddConstraint(
            model_name='projectallocation',
            constraint=models.UniqueConstraint(fields=('project', 'year'), name='allocation_one_per_project_year'),
        ),
        migrations.AddConstraint(
            model_name='projectallocation',
            constraint=models.CheckConstraint(condition=models.Q(('kc_support__gte', 0), ('counterpart_funds__gte', 0), ('other_funds__gte', 0)), name='allocation_amounts_not_negative'),
        ),
        migrations.RunPython(create_check, drop_check),
    ]
