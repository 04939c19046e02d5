"""A readable account of a policy: its inputs, tables and expressions, for people and tools."""

from dataclasses import dataclass, field
from typing import Any

from bankdesk.policy.registry import PolicyFile


@dataclass(frozen=True, slots=True)
class InputField:
    """One field of a policy's input schema."""

    name: str
    type: str
    required: bool
    constraints: str
    description: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of a decision table: its conditions by column and its outputs by field."""

    id: str
    conditions: dict[str, str]
    outputs: dict[str, str]


@dataclass(frozen=True, slots=True)
class Step:
    """One node of the decision graph, in evaluation order."""

    id: str
    name: str
    kind: str
    hit_policy: str = ""
    rules: tuple[Rule, ...] = ()
    expressions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PolicyDescription:
    """What a policy takes and how it decides."""

    id: str
    version: str
    path: str
    inputs: tuple[InputField, ...]
    steps: tuple[Step, ...]


_CONSTRAINT_KEYS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minLength",
                    "maxLength", "pattern", "enum")  # fmt: skip


def describe(policy: PolicyFile) -> PolicyDescription:
    """Describe a policy file."""
    graph = policy.graph
    nodes = {node["id"]: node for node in graph["nodes"]}
    ordered = _in_order(nodes, graph.get("edges", []))
    return PolicyDescription(
        id=policy.id,
        version=policy.version,
        path=str(policy.path),
        inputs=_inputs(policy.input_schema),
        steps=tuple(_step(node) for node in ordered if node.get("type") != "inputNode"),
    )


def _in_order(nodes: dict[str, dict[str, Any]], edges: list[dict[str, Any]]) -> list[dict]:
    """Nodes from the input node along the edges, breadth first; unreachable ones last."""
    targets: dict[str, list[str]] = {}
    for edge in edges:
        targets.setdefault(edge["sourceId"], []).append(edge["targetId"])
    queue = [key for key, node in nodes.items() if node.get("type") == "inputNode"]
    seen: list[str] = []
    while queue:
        key = queue.pop(0)
        if key in seen or key not in nodes:
            continue
        seen.append(key)
        queue.extend(targets.get(key, []))
    seen += [key for key in nodes if key not in seen]
    return [nodes[key] for key in seen]


def _inputs(schema: dict[str, Any]) -> tuple[InputField, ...]:
    required = set(schema.get("required", []))
    return tuple(
        InputField(
            name=name,
            type=_type_name(spec.get("type", "any")),
            required=name in required,
            constraints=", ".join(f"{key} {spec[key]}" for key in _CONSTRAINT_KEYS if key in spec),
            description=spec.get("description", ""),
        )
        for name, spec in schema.get("properties", {}).items()
    )


def _type_name(kind: str | list[str]) -> str:
    return " | ".join(kind) if isinstance(kind, list) else kind


def _step(node: dict[str, Any]) -> Step:
    content = node.get("content") or {}
    kind = node.get("type", "")
    if kind == "decisionTableNode":
        columns = {column["id"]: column.get("name") or column.get("field", "") for column in
                   content.get("inputs", [])}  # fmt: skip
        outputs = {column["id"]: column.get("field", "") for column in content.get("outputs", [])}
        rules = tuple(
            Rule(
                id=str(row.get("_id", "")),
                conditions={name: row.get(key, "") for key, name in columns.items()},
                outputs={name: row.get(key, "") for key, name in outputs.items()},
            )
            for row in content.get("rules", [])
        )
        return Step(node["id"], node.get("name", ""), kind, content.get("hitPolicy", ""), rules)
    if kind == "expressionNode":
        expressions = {item["key"]: item["value"] for item in content.get("expressions", [])}
        return Step(node["id"], node.get("name", ""), kind, expressions=expressions)
    return Step(node["id"], node.get("name", ""), kind)
