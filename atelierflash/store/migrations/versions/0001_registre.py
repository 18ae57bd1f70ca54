"""The register's versions and their rows.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "registre_version",
        sa.Column("numero", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("auteur", sa.String(200), nullable=False),
        sa.Column("fichier", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("fictif", sa.Boolean, nullable=False),
        sa.Column("restaure_de", sa.Integer, nullable=True),
        sa.Column("nb_lignes", sa.Integer, nullable=False),
        sa.Column("resume", sa.JSON, nullable=False),
        sa.Column("choix", sa.JSON, nullable=False),
        sa.Column("colonnes", sa.JSON, nullable=False),
        sa.Column("lecture", sa.JSON, nullable=False),
    )
    op.create_table(
        "registre_ligne",
        sa.Column(
            "version",
            sa.Integer,
            sa.ForeignKey("registre_version.numero", ondelete="RESTRICT"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ligne", sa.Integer, nullable=False),
        sa.Column("cellules", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("registre_ligne")
    op.drop_table("registre_version")
