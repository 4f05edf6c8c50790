"""Check response bodies against the OpenAPI file itself, not only against the SDK's models.

The SDK's pydantic models are lenient (optional fields, extra fields allowed), so a body can
parse and still break the contract. This is a small JSON-Schema subset validator, enough for
the constructs ``tests/data/openapi.json`` uses: ``$ref``, ``anyOf``, ``type``, ``enum``,
``required``, ``properties``, ``items``, string/number bounds, ``pattern`` and the ``uuid`` /
``date-time`` formats.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from tests.fake_soniox.models_catalog import openapi

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi()["components"]["schemas"][name]
    return schema


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def schema_errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every way ``value`` violates ``schema`` (empty list = valid)."""
    schema = _resolve(schema)
    if "anyOf" in schema:
        options = [schema_errors(value, option, where) for option in schema["anyOf"]]
        if any(not errs for errs in options):
            return []
        return [f"{where}: matches no anyOf option ({options})"]
    errs: list[str] = []
    expected = schema.get("type")
    if expected is not None and not _is_type(value, expected):
        return [f"{where}: expected {expected}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errs.append(f"{where}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append(f"{where}: does not match {schema['pattern']}")
        fmt = schema.get("format")
        try:
            if fmt == "uuid":
                uuid.UUID(value)
            elif fmt == "date-time":
                datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            errs.append(f"{where}: not a valid {fmt}: {value!r}")
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errs.append(f"{where}: below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errs.append(f"{where}: above {schema['maximum']}")
    if isinstance(value, list):
        for i, item in enumerate(value):
            errs.extend(schema_errors(item, schema.get("items", {}), f"{where}[{i}]"))
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                errs.append(f"{where}: missing required {name!r}")
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                errs.extend(schema_errors(value[name], sub, f"{where}.{name}"))
    return errs


def response_schema(path: str, method: str, status: int) -> dict[str, Any]:
    """The OAS schema of ``method path`` answering ``status`` (path as written in the OAS)."""
    response = openapi()["paths"][path][method.lower()]["responses"][str(status)]
    return response["content"]["application/json"]["schema"]


def assert_matches_oas(body: Any, path: str, method: str, status: int) -> None:
    """Fail with every violation if ``body`` is not what the OAS documents for this response."""
    errs = schema_errors(body, response_schema(path, method, status))
    assert not errs, "\n".join(errs)


def assert_schema(body: Any, schema_name: str) -> None:
    errs = schema_errors(body, {"$ref": f"#/components/schemas/{schema_name}"})
    assert not errs, "\n".join(errs)


def documented_statuses(path: str, method: str) -> set[int]:
    return {int(code) for code in openapi()["paths"][path][method.lower()]["responses"]}


def example_message(path: str, method: str, status: int) -> str:
    """The ``message`` of the documented example for this error response."""
    content = openapi()["paths"][path][method.lower()]["responses"][str(status)]["content"]
    return str(content["application/json"]["example"]["message"])
