"""The database: tables, the unit of work, repositories and migrations. Nothing else writes SQL.

One schema serves SQLite (the embedded default, in WAL mode) and PostgreSQL (production).

- ``database`` opens either, with every lock wait bounded; ``schema`` the tables;
  ``migrations`` runs Alembic; ``unit_of_work`` is one transaction with its repositories
  (``repositories``); ``driver_statements`` the hot statements compiled once; ``times`` how
  times are stored.
- The registry: ``units`` (a package: selections, the projection, containers), ``issuance``,
  ``scans``, ``alerts``, ``caller_limits``.
- The EPCIS repository: ``events`` (events and their index), ``canonical_epcs``,
  ``master_data``, ``epcis_query`` (a package: query conditions, event reads, named queries,
  subscriptions), ``capture_jobs``, ``party_view`` and ``held_epcs`` (what a distributor sees).
"""
