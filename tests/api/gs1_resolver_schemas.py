"""The rules of GS1's two JSON schemas for GS1-conformant resolvers, restated as JSON schemas
for the tests (GS1-Conformant Resolver standard, artefacts: "Linkset JSON schema", against which
linksets SHALL validate, and "JSON schema for Resolver Description Files"): the same patterns
and required members, written here rather than fetched, as the tests run offline."""

from __future__ import annotations

from typing import Any

_HTTP_URI = r"^https?:\/\/[a-zA-Z0-9./]+"

LINKSET_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["linkset"],
    "properties": {
        "linkset": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["anchor"],
                "properties": {
                    "anchor": {"type": "string", "pattern": _HTTP_URI},
                    "itemDescription": {"type": "string"},
                    "description": {"type": "string"},
                },
                "patternProperties": {
                    r"(?!(anchor|itemDescription|description))^([a-z-]+$)|(^https?:\/\/[a-zA-Z0-9./]+$)": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            # standard: every link SHALL include its target and a title
                            "required": ["href", "title"],
                            "properties": {
                                "href": {"type": "string", "pattern": _HTTP_URI},
                                "title": {"type": "string"},
                                "hreflang": {
                                    "type": "array",
                                    "items": {
                                        "type": "string",
                                        "pattern": r"(^\w{2}$)|(^\w{2}-\w{2}$)",
                                    },
                                },
                                "type": {"type": "string", "pattern": r"\w+/[-+.\w]+"},
                                "context": {
                                    "oneOf": [
                                        {"type": "string"},
                                        {"type": "array", "items": {"type": "string"}},
                                    ]
                                },
                            },
                        },
                    }
                },
                "additionalProperties": False,
            },
        }
    },
}

#: The primary keys the description file schema lets ``supportedPrimaryKeys`` name.
DESCRIBABLE_KEYS = [
    "all", "01", "8006", "8013", "8010", "410", "411", "412", "413", "414", "415", "417",
    "8017", "8018", "255", "00", "253", "401", "402", "8003", "8004",
]  # fmt: skip

DESCRIPTION_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["resolverRoot", "supportedPrimaryKeys"],
    "properties": {
        "resolverRoot": {"type": "string", "format": "uri"},
        "supportedPrimaryKeys": {
            "type": "array",
            "items": {"type": "string", "enum": DESCRIBABLE_KEYS},
        },
        "name": {"type": "string"},
        "supportedLinkType": {
            "type": "array",
            "items": {
                "properties": {
                    "namespace": {"type": "string", "format": "uri"},
                    "prefix": {"type": "string", "pattern": "^[a-zA-Z_][A-Za-z0-9_-]*?:$"},
                }
            },
        },
        "linkTypeDefaultCanBeLinkset": {"type": "boolean"},
        "jsonLdContextLocation": {"type": "string", "format": "uri"},
    },
}
