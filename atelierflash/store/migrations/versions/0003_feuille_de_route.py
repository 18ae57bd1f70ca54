"""The feuille de route's actions: a second table of each version, as immutable as the first.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = ("feuille_de_route", "feuille_de_route_action")
# The same refusal as 0002's (its PostgreSQL function atelierflash_immuable is reused).
_MESSAGE = "une version du registre ne se modifie pas et ne se supprime pas"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "feuille_de_route",
        sa.Column(
            "version",
            sa.Integer,
            sa.ForeignKey("registre_version.numero", ondelete="RESTRICT"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("fichier", sa.String(500), nullable=False),
        sa.Column("nb_actions", sa.Integer, nullable=False),
        sa.Column("colonnes", sa.JSON, nullable=False),
        sa.Column("lecture", sa.JSON, nullable=False),
    )
    op.create_table(
        "feuille_de_route_action",
        sa.Column(
            "version",
            sa.Integer,
            sa.ForeignKey("feuille_de_route.version", ondelete="RESTRICT"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ligne", sa.Integer, nullable=False),
        sa.Column("cellules", sa.JSON, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
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
    else:
        for table in _TABLES:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_immuable_{event}")
    op.drop_table("feuille_de_route_action")
    op.drop_table("feuille_de_route")
