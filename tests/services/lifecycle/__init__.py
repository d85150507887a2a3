"""The lifecycle services (:mod:`unitrace.services.lifecycle`), one test module per use case,
on SQLite and PostgreSQL. Results are compared whole; every refusal is checked for its class,
its message, and for having changed nothing even when the caller commits afterwards."""
