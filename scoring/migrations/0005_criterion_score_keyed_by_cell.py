"""CriterionScore gets the cell (period, unit, criterion) as its primary key, instead of an id and a unique key.

Django cannot change an existing table's primary key to a composite one, so the
table is built anew under a temporary name, the rows are copied (the scores of
closed periods cannot be recomputed: they must survive), the old table is
dropped and the new one takes its name.
"""

import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.db import migrations, models


COLUMNS = "period_id, unit_id, criterion_id, campaign_id, section_id, evidence_id, category, points, computed_at"


def _copy(apps, schema_editor, source: str, target: str) -> None:
    quote = schema_editor.quote_name
    source, target = (apps.get_model("scoring", name)._meta.db_table for name in (source, target))
    schema_editor.execute(f"INSERT INTO {quote(target)} ({COLUMNS}) SELECT {COLUMNS} FROM {quote(source)}")


def copy_rows(apps, schema_editor):
    _copy(apps, schema_editor, "CriterionScore", "CriterionScoreByCell")


def copy_rows_back(apps, schema_editor):
    _copy(apps, schema_editor, "CriterionScoreByCell", "CriterionScore")


def _fk(to, related_name, null=False):
    return models.ForeignKey(
        blank=null, null=null, db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
        related_name=related_name, to=to,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('campaigns', '0002_initial'),
        ('evidence', '0002_locks_reminders_dossiers'),
        ('scoring', '0004_unit_scores_without_db_constraints'),
    ]

    operations = [
        migrations.CreateModel(
            name='CriterionScoreByCell',
            fields=[
                ('pk', models.CompositePrimaryKey('period', 'unit', 'criterion', blank=True, editable=False,
                                                  primary_key=True, serialize=False)),
                ('category', models.CharField(default='base', max_length=16)),
                ('points', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=9)),
                ('computed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('campaign', _fk('campaigns.campaign', '+')),
                ('period', _fk('campaigns.period', '+')),
                ('unit', _fk('accounts.unit', '+')),
                ('criterion', _fk('campaigns.criterion', '+')),
                ('section', _fk('campaigns.criterion', '+', null=True)),
                ('evidence', _fk('evidence.evidence', '+', null=True)),
            ],
        ),
        migrations.RunPython(copy_rows, copy_rows_back),
        migrations.DeleteModel(name='CriterionScore'),
        migrations.RenameModel(old_name='CriterionScoreByCell', new_name='CriterionScore'),
        migrations.AlterField(model_name='criterionscore', name='period', field=_fk('campaigns.period', 'criterion_scores')),
        migrations.AlterField(model_name='criterionscore', name='unit', field=_fk('accounts.unit', 'criterion_scores')),
        migrations.AlterField(model_name='criterionscore', name='criterion', field=_fk('campaigns.criterion', 'scores')),
    ]
