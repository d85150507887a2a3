"""Pages for people: the front door, the verification page a phone opens when it scans a unit's
QR Code, and the bad-code page (``pages``, Jinja2 ``templates``), with the files they load
(``assets``: unitrace's own style sheet, script and icon in ``static``, and Swagger UI and
ReDoc for the API documentation pages), all served by unitrace itself."""
