"""A database guard: an issued award decision and its awards can never be changed or deleted.

The services already refuse; this makes the rule hold for any other code path
(admin, shell, a future bug). PostgreSQL only; other databases rely on the services.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION awards_refuse_issued_decision_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'issued' THEN
        RAISE EXCEPTION 'award decision % is issued and cannot be changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER awards_decision_immutable
    BEFORE UPDATE OR DELETE ON awards_awarddecision
    FOR EACH ROW EXECUTE FUNCTION awards_refuse_issued_decision_change();

CREATE OR REPLACE FUNCTION awards_refuse_issued_award_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM awards_awarddecision WHERE id = OLD.decision_id AND status = 'issued'
    ) THEN
        RAISE EXCEPTION 'award % belongs to an issued decision and cannot be changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
        SELECT 1 FROM awards_awarddecision WHERE id = NEW.decision_id AND status = 'issued'
    ) THEN
        RAISE EXCEPTION 'an issued decision cannot receive awards'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER awards_award_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON awards_award
    FOR EACH ROW EXECUTE FUNCTION awards_refuse_issued_award_change();
"""

DROP = """
DROP TRIGGER IF EXISTS awards_award_immutable ON awards_award;
DROP FUNCTION IF EXISTS awards_refuse_issued_award_change();
DROP TRIGGER IF EXISTS awards_decision_immutable ON awards_awarddecision;
DROP FUNCTION IF EXISTS awards_refuse_issued_decision_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("awards", "0002_decisions_rules_templates")]

    operations = [migrations.RunPython(forwards, backwards)]
