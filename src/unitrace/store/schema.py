"""The tables, as SQLAlchemy Core metadata; Alembic migrations create them.

Keys are chosen for the bulk paths and for scale-out: units are keyed by (product, serial), so
that they can be hash-distributed by GTIN and serial, and are written once per issue in one
set-based insert; events and scans are append-only.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# Constraint names that Alembic and both databases agree on.
metadata: MetaData = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp: DateTime = DateTime(timezone=True)

products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("gtin", String(14), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("company_prefix_length", Integer),
    Column("serial_length", Integer, nullable=False),
    Column("serial_alphabet", Text, nullable=False),
    Column("target_markets", JSON, nullable=False),
    Column("storage_conditions", Text),
    # every serial ever issued for the GTIN: the guess-probability numerator
    Column("issued", BigInteger, nullable=False, default=0),
    Column("created_at", Timestamp, nullable=False),
    # the product's own detection rules by name, only those it sets; NULL: the defaults
    Column("detection_rules", JSON, nullable=True),
    CheckConstraint("serial_length BETWEEN 1 AND 20", name="serial_length"),
)

lots = Table(
    "lots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("lot", String(20), nullable=False),
    Column("expiry", Date, nullable=False),
    Column("production_date", Date),
    Column("site", Text),
    Column("status", String(16), nullable=False),
    Column("status_reason", Text),
    # units issued in the lot: the last seq handed out
    Column("issued", BigInteger, nullable=False, default=0),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("product_id", "lot"),
)

parties = Table(
    "parties",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("gln", String(13), unique=True),
    Column("territory", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    # where a recall task is POSTed, and the token that signs it (HMAC-SHA256, GS1-Signature)
    Column("recall_endpoint", Text),
    Column("recall_signature_token", Text),
)

locations = Table(
    "locations",
    metadata,
    Column("gln", String(13), primary_key=True),
    Column("name", Text, nullable=False),
    Column("party_id", String(64), ForeignKey("parties.id")),
    Column("country", String(2)),
    Column("region", String(6)),
    Column("city", Text),
)

serial_requests = Table(
    "serial_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("lot_id", Integer, ForeignKey("lots.id"), nullable=False),
    Column("count", Integer, nullable=False),
    Column("seq_from", BigInteger, nullable=False),
    Column("seq_to", BigInteger, nullable=False),
    Column("commissioned", Boolean, nullable=False),
    Column("requested_by", Text),
    Column("created_at", Timestamp, nullable=False),
)

# Serial requests made from the console, issued off the page's request by a worker's thread so
# that a million serials do not hold the browser: queued, then issuing, then done (the request
# they made), refused (the service's message) or failed. A job names who asked, to issue as them.
serial_request_jobs = Table(
    "serial_request_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("gtin", String(14), nullable=False),
    Column("lot", String(20), nullable=False),
    Column("count", Integer, nullable=False),
    Column("commission", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("message", Text),
    Column("request_id", Integer, ForeignKey("serial_requests.id")),
    Column("requested_by", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("party_id", String(64)),
    Column("created_at", Timestamp, nullable=False),
    Column("started_at", Timestamp),
    Column("finished_at", Timestamp),
    Index("ix_serial_request_jobs_status", "status"),
)

# EPCs compare byte by byte on PostgreSQL (COLLATE "C"), as on SQLite: codes have no locale,
# and only in byte order is every EPC that starts with a pattern's prefix one range of the index.
EpcText = Text().with_variant(Text(collation="C"), "postgresql")

# Containers: cases (an SGTIN) and pallets (an SSCC) that hold units or other containers.
containers = Table(
    "containers",
    metadata,
    Column("id", Integer, primary_key=True),
    # in the event index's collation: a distributor's view joins the two by EPC
    Column("epc", EpcText, nullable=False, unique=True),
    Column("kind", String(8), nullable=False),  # "sscc" or "sgtin"
    Column("parent_id", Integer, ForeignKey("containers.id")),
    Column("custodian_id", String(64), ForeignKey("parties.id")),
    Column("location_gln", String(13)),
    Column("created_at", Timestamp, nullable=False),
    Index("ix_containers_parent_id", "parent_id"),
    Index(
        "ix_containers_custodian_id",
        "custodian_id",
        sqlite_where=text("custodian_id IS NOT NULL"),
        postgresql_where=text("custodian_id IS NOT NULL"),
    ),
)

# Units are written a million at a time, so their keys are chosen for that (measured with
# bench/bench_issue.py, 1,000,000 units of one lot):
# - no foreign keys: PostgreSQL checks each one with a trigger per inserted row, which took
#   the insert from 5 s to 17 s; a unit's product, lot and request are locked or created in
#   the transaction that inserts it (store.issuance), a container or party is looked up before
#   a unit points at it, and none of them is ever deleted;
# - serials compare byte by byte on PostgreSQL (COLLATE "C"): codes have no locale, and
#   inserting into the random-order primary key is the dearest part of an issue;
# - the container index holds packed units only, not a NULL per issued unit in serial order,
#   which cost SQLite 2 s per million.
units = Table(
    "units",
    metadata,
    Column("product_id", Integer, primary_key=True),
    Column(
        "serial",
        String(20).with_variant(String(20, collation="C"), "postgresql"),
        primary_key=True,
    ),
    Column("lot_id", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("request_id", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("container_id", Integer),
    Column("custodian_id", String(64)),
    Column("location_gln", String(13)),
    # when, where and by whom the unit entered its state: the 10-day undo rule needs them
    Column("state_since", Timestamp),
    Column("state_party_id", String(64)),
    Column("state_location_gln", String(13)),
    Column("previous_state", String(16)),
    # a code file reads a lot's serials in seq order from the index alone: PostgreSQL keeps
    # the serial in the key's index, SQLite (no INCLUDE; its index holds the primary key
    # but does not read it from there) in an index of its own
    UniqueConstraint("lot_id", "seq", name="uq_units_lot_seq", postgresql_include=["serial"]),
    Index("ix_units_lot_seq_serial", "lot_id", "seq", "serial").ddl_if(dialect="sqlite"),
    Index(
        "ix_units_container_id",
        "container_id",
        sqlite_where=text("container_id IS NOT NULL"),
        postgresql_where=text("container_id IS NOT NULL"),
    ),
    # what a party holds (a distributor's view is found from it): the brand's units have none
    Index(
        "ix_units_custodian_id",
        "custodian_id",
        sqlite_where=text("custodian_id IS NOT NULL"),
        postgresql_where=text("custodian_id IS NOT NULL"),
    ),
    sqlite_with_rowid=False,
)

epcis_events = Table(
    "epcis_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("event_id", Text, nullable=False, unique=True),
    Column("type", String(32), nullable=False),
    Column("action", String(8)),
    Column("event_time", Timestamp, nullable=False),
    Column("event_time_zone_offset", String(6), nullable=False),
    Column("record_time", Timestamp, nullable=False),
    Column("biz_step", Text),
    Column("disposition", Text),
    Column("read_point", Text),
    Column("biz_location", Text),
    Column("document", JSON, nullable=False),
    # who recorded the event (the actor's name), and the party it concerns: a shipment's
    # destination, else the recorder's own party; a unit's history shows both
    Column("party_id", String(64)),
    Column("recorded_by", Text),
    # when the event was declared in error (EPCIS errorDeclaration), if it was
    Column("error_declaration_time", Timestamp),
    # the capture job that brought a partner's event in; none for unitrace's own events
    Column("capture_job_id", Integer),
    # PostgreSQL: the id of the transaction that inserted the event, from a column default that
    # migration 0028 sets (no insert names it); what tells a WebSocket subscription the events
    # that became visible since it last looked (store.epcis_query.event_feed). Empty on SQLite.
    Column("capture_xact", BigInteger),
    Index("ix_epcis_events_event_time", "event_time"),
    Index(
        "ix_epcis_events_capture_xact",
        "capture_xact",
        postgresql_where=text("capture_xact IS NOT NULL"),
        sqlite_where=text("capture_xact IS NOT NULL"),
    ),
    Index("ix_epcis_events_biz_step", "biz_step"),
    Index("ix_epcis_events_record_time", "record_time"),
    Index("ix_epcis_events_read_point", "read_point"),
    Index("ix_epcis_events_biz_location", "biz_location"),
    Index(
        "ix_epcis_events_party_id",
        "party_id",
        sqlite_where=text("party_id IS NOT NULL"),
        postgresql_where=text("party_id IS NOT NULL"),
    ),
)

# The roles of a transformation's inputs and outputs, spelled once: a statement that states
# this very condition may read the partial index of them (SQLite compares it as written).
GENEALOGY_ROLES = text("role IN ('input', 'input_quantity', 'output', 'output_quantity')")

# Every EPC an event names, by role: epcList, parentID, childEPCs, inputs, outputs.
event_epcs = Table(
    "event_epcs",
    metadata,
    Column(
        "event_pk",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("epcis_events.id"),
        nullable=False,
    ),
    Column("role", String(16), nullable=False),
    Column("epc", EpcText, nullable=False),
    Index("ix_event_epcs_epc", "epc"),
    Index("ix_event_epcs_event_pk", "event_pk"),
    # the inputs and outputs of transformations, few beside the rest, which trace walks
    Index(
        "ix_event_epcs_genealogy",
        "epc",
        sqlite_where=GENEALOGY_ROLES,
        postgresql_where=GENEALOGY_ROLES,
    ),
)

# The constrained canonical GS1 Digital Link (CBV 2.0 section 8.9: on id.gs1.org, the key and
# the qualifiers that make an identity) of each EPC an event names as a Digital Link spelled
# otherwise: on another domain, under a path stem, with a lot beside the serial. event_epcs
# keeps the EPC as sent (it is the event's EPC list); a query asking for the object in any
# spelling finds it here, by the canonical spelling it asks for too.
event_canonical_epcs = Table(
    "event_canonical_epcs",
    metadata,
    Column(
        "event_pk",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("epcis_events.id"),
        nullable=False,
    ),
    Column("role", String(16), nullable=False),
    Column("epc", EpcText, nullable=False),
    Index("ix_event_canonical_epcs_epc", "epc"),
    Index("ix_event_canonical_epcs_event_pk", "event_pk"),
)

# The typed values an event names besides its EPCs, for queries on them: ``source`` and
# ``destination`` (type = the source/destination type), ``bizTransaction`` (type = the
# transaction type, or none), ``persistentDisposition.set`` / ``.unset``, ``transformationID``.
event_values = Table(
    "event_values",
    metadata,
    Column(
        "event_pk",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("epcis_events.id"),
        nullable=False,
    ),
    Column("field", String(40), nullable=False),
    Column("type", Text),
    Column("value", Text, nullable=False),
    Index("ix_event_values_field_value", "field", "value"),
    Index("ix_event_values_event_pk", "event_pk"),
)

# Master data (EPCIS 2.0 section 7.2): vocabulary elements by vocabulary type and ID, with
# their attributes as the latest document gave them, and the hierarchy their ``children``
# lists make (a business location's sub-locations), which WD_readPoint and WD_bizLocation
# walk. Elements and children come with captured documents' headers.
vocabulary_elements = Table(
    "vocabulary_elements",
    metadata,
    Column("type", Text, primary_key=True),
    Column("id", Text, primary_key=True),
    Column("attributes", JSON, nullable=False),
)

vocabulary_children = Table(
    "vocabulary_children",
    metadata,
    # a child may be named before (or without) its own element: no foreign keys
    Column("type", Text, primary_key=True),
    Column("parent_id", Text, primary_key=True),
    Column("child_id", Text, primary_key=True),
)

# EPCIS capture jobs (``POST /epcis/capture``): a document captured as a whole or, with
# ``GS1-Capture-Error-Behaviour: proceed``, event by event.
capture_jobs = Table(
    "capture_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("error_behaviour", String(8), nullable=False),
    Column("events", Integer, nullable=False),
    Column("captured", Integer, nullable=False),
    Column("errors", JSON, nullable=False),
    # what the job tells the partner besides errors: events captured already, EPCs kept once
    Column("notes", JSON, nullable=False, server_default="[]"),
    Column("recorded_by", Text),
    # whose job it is: a distributor's party; NULL for the brand's (admin and line tokens)
    Column("party_id", String(64)),
    Column("created_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("party_id", String(64), ForeignKey("parties.id")),
    Column("label", Text),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp),
    # when the token last authenticated, to within a few minutes (services.tokens)
    Column("last_used_at", Timestamp),
)

audit_trail = Table(
    "audit_trail",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", Timestamp, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Index("ix_audit_trail_subject", "subject"),
)

# Every scan, as it came and as it was answered: append-only, never updated. The unit's scan
# history (first scan, clone detection) reads the (product, serial, at) index; the guessing
# detector counts a caller's recent scans on (address, at) (the hashed address a public scan
# came from; the client id it sent can be anything), and an authenticated one's on (client, at).
scans = Table(
    "scans",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", Timestamp, nullable=False),
    # the unit's key when the code names a registered product; no foreign key (units have none)
    Column("product_id", Integer),
    Column("serial", String(20)),
    Column("gtin", String(14)),
    Column("lot", String(20)),
    Column("expiry", Date),
    Column("raw", Text, nullable=False),
    Column("parse_error", Text),
    Column("verdict", String(16), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("known", Boolean, nullable=False),
    Column("client", String(128)),
    # the caller's address, hashed ("ip:" and 16 hex digits), for scans on the public routes
    Column("address", String(24)),
    Column("user_agent", String(256)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("city", String(100)),
    Column("region", String(6)),
    Column("country", String(2)),
    Index("ix_scans_unit", "product_id", "serial", "at"),
    Index("ix_scans_client", "client", "at"),
    Index("ix_scans_address", "address", "at"),
    # the console's latest scans, newest first (services.scan_figures)
    Index("ix_scans_at", "at"),
)

# The public routes' rate limits and holds, one row per caller (a hashed address), shared by
# every worker of the service: a token bucket (``tokens`` as of ``at``) and the time until
# which the caller is refused whatever its rate (``held_until``, 0 for none). Times are
# seconds since the epoch. Rows of callers whose bucket is full again are forgotten. On
# PostgreSQL the table is unlogged (a lost limit costs nothing); a SQLite database keeps these
# rows in a file beside it instead (``unitrace.store.caller_limits``), away from its writers.
caller_limits = Table(
    "caller_limits",
    metadata,
    Column("caller", String(24), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("at", Float, nullable=False),
    Column("held_until", Float, nullable=False),
    Column("admitted", Boolean, nullable=False),
)

# Anomalies found by the detectors, with their workflow. ``subject`` names what the alert is
# about (a unit "gtin/serial", or "client:<id>" for code guessing); a partial unique index
# keeps one open alert per type and subject even when two scans race to raise it.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("type", String(24), nullable=False),
    Column("status", String(16), nullable=False),
    Column("subject", String(160), nullable=False),
    Column("product_id", Integer),
    Column("gtin", String(14)),
    Column("serial", String(20)),
    Column("lot", String(20)),
    Column("party_id", String(64)),
    Column("client", String(128)),
    Column("evidence", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("closed_reason", Text),
    CheckConstraint("status IN ('new', 'investigating', 'closed')", name="status"),
    Index(
        "uq_alerts_open",
        "type",
        "subject",
        unique=True,
        sqlite_where=text("status <> 'closed'"),
        postgresql_where=text("status <> 'closed'"),
    ),
    Index("ix_alerts_created_at", "created_at"),
    Index("ix_alerts_party_id", "party_id"),
)

# The cold chain's, the console's people, events' sensor reports, EPCIS named queries and their
# subscriptions, the holds, recalls, scan count tables and units' scan summaries are defined in
# modules of their own, on this metadata.
from unitrace.store.brand_link_table import brand_links as brand_links  # noqa: E402
from unitrace.store.cold_chain_tables import (  # noqa: E402
    cold_chain_excursions as cold_chain_excursions,
)
from unitrace.store.cold_chain_tables import (  # noqa: E402
    sensor_attachments as sensor_attachments,
)
from unitrace.store.cold_chain_tables import sensor_devices as sensor_devices  # noqa: E402
from unitrace.store.cold_chain_tables import sensor_readings as sensor_readings  # noqa: E402
from unitrace.store.cold_chain_tables import (  # noqa: E402
    storage_conditions as storage_conditions,
)
from unitrace.store.console_tables import console_sessions as console_sessions  # noqa: E402
from unitrace.store.console_tables import console_sign_ins as console_sign_ins  # noqa: E402
from unitrace.store.console_tables import console_users as console_users  # noqa: E402
from unitrace.store.epcis_query_tables import epcis_queries as epcis_queries  # noqa: E402
from unitrace.store.epcis_query_tables import (  # noqa: E402
    epcis_subscriptions as epcis_subscriptions,
)
from unitrace.store.event_field_tables import event_fields as event_fields  # noqa: E402
from unitrace.store.event_sensor_tables import (  # noqa: E402
    event_sensor_reports as event_sensor_reports,
)
from unitrace.store.hold_table import holds as holds  # noqa: E402
from unitrace.store.recall_tables import recall_responses as recall_responses  # noqa: E402
from unitrace.store.recall_tables import recall_tasks as recall_tasks  # noqa: E402
from unitrace.store.recall_tables import recall_units as recall_units  # noqa: E402
from unitrace.store.recall_tables import recalls as recalls  # noqa: E402
from unitrace.store.scan_count_tables import (  # noqa: E402
    scan_count_months as scan_count_months,
)
from unitrace.store.scan_count_tables import (  # noqa: E402
    scan_count_queue as scan_count_queue,
)
from unitrace.store.scan_count_tables import (  # noqa: E402
    scan_counts as scan_counts,
)
from unitrace.store.scan_count_tables import (  # noqa: E402
    scan_counts_by_area as scan_counts_by_area,
)
from unitrace.store.scan_count_tables import (  # noqa: E402
    scan_counts_by_custodian_area as scan_counts_by_custodian_area,
)
from unitrace.store.scan_count_tables import (  # noqa: E402
    scan_counts_by_lot as scan_counts_by_lot,
)
from unitrace.store.scan_count_tables import (  # noqa: E402
    scan_counts_by_lot_area as scan_counts_by_lot_area,
)
from unitrace.store.unit_scan_table import (  # noqa: E402
    unit_scan_summaries as unit_scan_summaries,
)
from unitrace.store.vocabulary_attribute_table import (  # noqa: E402
    vocabulary_attributes as vocabulary_attributes,
)
