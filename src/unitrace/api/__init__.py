"""The HTTP API (FastAPI): one router per resource (``routers``), pydantic models at the edge
only (``answers`` holds the answers the command line prints too), dependencies for the unit
of work and the caller's identity (``dependencies``, ``callers``).

Around the routes: ``app`` builds the service, ``serving`` runs its workers, ``watchdog``
ends a worker whose loop stalls; ``problems`` and ``epcis_problems`` answer errors as RFC 7807
and EPCIS exceptions; ``json_bodies`` and ``request_bodies`` read bodies strictly and within
their limits; ``rate_limits`` shares the limits between workers; ``security_headers`` and
``documentation`` set the pages' policies (``/docs`` and ``/redoc`` served offline).
"""
