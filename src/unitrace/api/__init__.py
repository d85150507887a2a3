"""The HTTP API (FastAPI): one router per resource, pydantic models at the edge only,
dependencies for the unit of work and the caller's identity."""
