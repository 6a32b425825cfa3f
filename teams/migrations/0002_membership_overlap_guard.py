"""A person's memberships may not overlap in time: enforced by the database itself.

PostgreSQL: an exclusion constraint over (person, daterange) with btree_gist.
SQLite: BEFORE INSERT / UPDATE triggers that abort on an overlapping row.
The first-secretary rule gets the same guard per team.
"""

from django.db import migrations

PG_UP = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE teams_membership ADD CONSTRAINT membership_person_no_overlap
  EXCLUDE USING gist (
    person_id WITH =,
    daterange(start_date, COALESCE(end_date, 'infinity'::date), '[]') WITH &&
  );
ALTER TABLE teams_membership ADD CONSTRAINT membership_first_secretary_no_overlap
  EXCLUDE USING gist (
    team_id WITH =,
    daterange(start_date, COALESCE(end_date, 'infinity'::date), '[]') WITH &&
  ) WHERE (role = 'first_secretary');
"""
PG_DOWN = """
ALTER TABLE teams_membership DROP CONSTRAINT IF EXISTS membership_person_no_overlap;
ALTER TABLE teams_membership DROP CONSTRAINT IF EXISTS membership_first_secretary_no_overlap;
"""

_OVERLAP = """
  m.start_date <= COALESCE(NEW.end_date, '9999-12-31')
  AND COALESCE(m.end_date, '9999-12-31') >= NEW.start_date
"""
SQLITE_UP = [
    f"""
CREATE TRIGGER membership_person_no_overlap_{op}
BEFORE {op.upper()} ON teams_membership
WHEN EXISTS (
  SELECT 1 FROM teams_membership m
  WHERE m.person_id = NEW.person_id AND m.id IS NOT NEW.id AND {_OVERLAP}
)
BEGIN SELECT RAISE(ABORT, 'membership_person_no_overlap'); END;
"""
    for op in ("insert", "update")
] + [
    f"""
CREATE TRIGGER membership_first_secretary_no_overlap_{op}
BEFORE {op.upper()} ON teams_membership
WHEN NEW.role = 'first_secretary' AND EXISTS (
  SELECT 1 FROM teams_membership m
  WHERE m.team_id = NEW.team_id AND m.role = 'first_secretary'
    AND m.id IS NOT NEW.id AND {_OVERLAP}
)
BEGIN SELECT RAISE(ABORT, 'membership_first_secretary_no_overlap'); END;
"""
    for op in ("insert", "update")
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name}_{op};"
    for name in (
        "membership_person_no_overlap",
        "membership_first_secretary_no_overlap",
    )
    for op in ("insert", "update")
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
