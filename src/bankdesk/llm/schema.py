"""JSON schemas for structured output, generated from the Pydantic model that parses the answer.

OpenAI's strict mode accepts a subset of JSON Schema: every object closes its properties
(additionalProperties false) and lists all of them as required (optional ones are
nullable instead), and defaults are not allowed. The models are written to that subset;
this makes the generated schema say so.
"""

from functools import cache
from typing import Any

from pydantic import BaseModel

_UNSUPPORTED = ("default", "title")


@cache
def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the form strict structured output accepts (built once per
    model; callers must not change it)."""
    return _strict(model.model_json_schema())


def schema_name(model: type[BaseModel]) -> str:
    """A schema name OpenAI accepts (letters, digits, _ and -, at most 64 characters)."""
    return model.__name__[:64]


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _strict(value) for key, value in node.items() if key not in _UNSUPPORTED}
    if "properties" in node and isinstance(node["properties"], dict):
        # Property names are data here, not schema keywords: keep "title" or "default" fields.
        result["properties"] = {name: _strict(sub) for name, sub in node["properties"].items()}
    if result.get("type") == "object" and "properties" in result:
        result["additionalProperties"] = False
        result["required"] = list(result["properties"])
    return result
