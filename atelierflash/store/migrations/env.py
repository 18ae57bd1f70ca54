"""Alembic environment: run on the connection :meth:`Store.upgrade` passes in.

There is no ``alembic.ini``: the store configures Alembic in code, so the migrations run the
same way at the app's start-up, from ``python -m atelierflash db upgrade`` and in the tests.
"""

from alembic import context

from atelierflash.store._schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Several app processes may start at once on one database: one migrates, the others
        # wait here, then find the schema at head.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7411200253)")
    context.run_migrations()
