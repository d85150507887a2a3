"""The official EPCIS 2.0 JSON Schema, read from the conformance folder, as the judge of what
unitrace writes (no network: the schema's parts are resolved from the folder)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def _validator(conformance: Path) -> Any:
    import jsonschema
    from referencing import Registry, Resource

    folder = conformance / "epcis"
    schema = json.loads((folder / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    resources = [(schema["$id"], Resource.from_contents(schema))]
    for path in sorted((folder / "JSON-Schema" / "schemas").glob("*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        if "$id" in part:
            resources.append((part["$id"], Resource.from_contents(part)))
    registry: Registry[Any] = Registry().with_resources(resources)
    return jsonschema.Draft7Validator(
        schema, registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def schema_errors(conformance: Path, document: Any) -> list[str]:
    """What the official JSON Schema (in the ``conformance`` folder) finds wrong."""
    errors = _validator(conformance).iter_errors(document)
    return [f"{list(error.absolute_path)}: {error.message}" for error in errors]
