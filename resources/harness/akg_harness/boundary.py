"""The studio-harness boundary, read from the schema the app's contract emits.

schema/boundary.json is generated from agents/contract/harness-boundary.ts (never edited by
hand): the schema version, the evaluate request and the verdict as JSON Schema, and the
environment allow-lists. Validation uses the `jsonschema` package where the environment has
it; otherwise a small validator for the subset zod emits (type, const, enum, properties,
required, additionalProperties, items, anyOf, minimum, maximum, pattern, minLength), so a
bare GPU server still checks every request and verdict.
"""

import functools
import json
import os
import re

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema", "boundary.json")


class BoundaryError(ValueError):
    """A request or verdict does not match the boundary schema."""


@functools.lru_cache(maxsize=None)
def boundary() -> dict:
    with open(SCHEMA_FILE) as handle:
        return json.load(handle)


def schema_version() -> int:
    return int(boundary()["version"])


def validate(kind: str, document) -> None:
    """Raises BoundaryError naming every mismatch (kind: evaluate_request or verdict)."""
    problems = list(_problems(boundary()[kind], document))
    if problems:
        raise BoundaryError(
            f"{kind.replace('_', ' ')} does not match schema version "
            f"{schema_version()}: " + "; ".join(problems[:8])
        )


def _problems(schema: dict, document):
    try:
        import jsonschema
    except ImportError:
        yield from _subset_problems(schema, document, "")
        return
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
        where = "/".join(str(part) for part in error.path) or "(document)"
        yield f"{where}: {error.message}"


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    ),
}


def _subset_problems(schema: dict, value, where: str):
    here = where or "(document)"
    if "anyOf" in schema:
        if not any(not list(_subset_problems(option, value, where)) for option in schema["anyOf"]):
            yield f"{here}: matches none of the allowed forms"
        return
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_TYPES[kind](value) for kind in kinds):
            yield f"{here}: {value!r:.60} is not of type {' or '.join(kinds)}"
            return
    if "const" in schema and value != schema["const"]:
        yield f"{here}: {value!r:.60} was expected to be {schema['const']!r}"
    if "enum" in schema and value not in schema["enum"]:
        yield f"{here}: {value!r:.60} is not one of {schema['enum']}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            yield f"{here}: {value} is less than the minimum of {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            yield f"{here}: {value} is greater than the maximum of {schema['maximum']}"
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            yield f"{here}: {value} must be greater than {schema['exclusiveMinimum']}"
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            yield f"{here}: {value!r:.60} is too short"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            yield f"{here}: {value!r:.60} does not match {schema['pattern']!r}"
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from _subset_problems(schema["items"], item, f"{where}/{index}".lstrip("/"))
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                yield f"{here}: {name!r} is a required property"
        extra = schema.get("additionalProperties", {})
        for name, item in value.items():
            path = f"{where}/{name}".lstrip("/")
            if name in properties:
                yield from _subset_problems(properties[name], item, path)
            elif extra is False:
                yield f"{here}: additional property {name!r} is not allowed"
            elif isinstance(extra, dict) and extra:
                yield from _subset_problems(extra, item, path)
