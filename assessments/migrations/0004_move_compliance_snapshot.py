"""ComplianceRun and FindingRecord move to the compliance app: state only, tables kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("assessments", "0003_compliance_snapshot"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="findingrecord",
                    name="run",
                ),
                migrations.RemoveField(
                    model_name="findingrecord",
                    name="county",
                ),
                migrations.RemoveField(
                    model_name="findingrecord",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="findingrecord",
                    name="team",
                ),
                migrations.DeleteModel(
                    name="ComplianceRun",
                ),
                migrations.DeleteModel(
                    name="FindingRecord",
                ),
            ],
            database_operations=[],
        ),
    ]
