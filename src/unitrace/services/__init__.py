"""Use cases: what unitrace does for its users, shared by the command line and the HTTP API.

Each module is one job, taking plain values and a unit of work, returning domain objects:

- the registry: ``catalog`` (products, lots, parties), ``serialization`` (serials issued under
  the guess rule, a request's codes), ``labels`` (label sheets and symbol ZIPs), ``lifecycle``
  (a package, one module per use case: commissioning, packing, shipping, receiving, state
  changes, transformation, lot status, the views), ``tokens``, ``demo``;
- verification: ``verification`` (a package: the verdict, one pure module per detector, the
  alerts raised), ``scan_intake`` and ``scan_time`` (scans queued and their times),
  ``scan_answers`` (a verification's JSON), ``flagged_units``, ``alert_workflow``,
  ``pharmacy`` (the pharmacist's verify and dispense);
- the EPCIS repository: ``epcis_capture`` (a package: documents captured, capture jobs,
  what events do to the registry), ``capture_runner``, ``epcis_query`` (a package: parameters,
  spellings, pages, answers, subscriptions and their delivery), ``epcis_named_queries``,
  ``epcis_discovery``, ``epcis_redaction``, ``ownership``, ``webhooks``;
- codes: ``codes`` (any code described, EPC tags).
"""
