"""The database: tables, the unit of work, repositories and migrations. Nothing else writes SQL.

One schema serves SQLite (the embedded default, in WAL mode) and PostgreSQL (production).
"""
