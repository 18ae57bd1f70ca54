"""The store's tables (SQLAlchemy Core), as the migrations leave them at head.

Alembic's migrations (``migrations/versions``) create and change the schema; these table
objects only describe it for queries, and a test checks that they match a migrated database.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: One row per version of the register; never updated nor deleted.
versions = sa.Table(
    "registre_version",
    metadata,
    # Versions are numbered 1, 2, 3… by the import that creates them (base + 1): two imports
    # reviewed against the same version collide on this key, and only one can land.
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

#: The rows of a version, exactly as imported (text cells, in the order of ``colonnes``).
rows = sa.Table(
    "registre_ligne",
    metadata,
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

#: The feuille de route of a version, when it has one: where its actions were read.
feuilles = sa.Table(
    "feuille_de_route",
    metadata,
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

#: The actions of a version's feuille de route, exactly as imported (text cells).
actions = sa.Table(
    "feuille_de_route_action",
    metadata,
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
