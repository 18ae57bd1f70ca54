"""Versions are never overwritten: the database itself refuses UPDATE and DELETE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TABLES = ("registre_version", "registre_ligne")
_MESSAGE = "une version du registre ne se modifie pas et ne se supprime pas"


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION atelierflash_immuable() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        for table in _TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_immuable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION atelierflash_immuable()"
            )
        return
    for table in _TABLES:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_immuable_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER {table}_immuable ON {table}")
        op.execute("DROP FUNCTION atelierflash_immuable()")
        return
    for table in _TABLES:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_immuable_{event}")
