"""Find policy files, read them once and identify each by the hash of its content."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bankdesk.domain.decision import PolicyRef
from bankdesk.domain.errors import InvalidPolicy

PACKAGED_POLICY_DIR = Path(__file__).parent / "policies"
JDM_CONTENT_TYPE = "application/vnd.gorules.decision"


@dataclass(frozen=True, slots=True)
class PolicyFile:
    """One JDM decision graph: its id (file stem), where it came from and its content."""

    id: str
    path: Path
    text: str
    version: str
    graph: dict[str, Any]
    input_schema: dict[str, Any]  # parsed once, when the file is read
    required_inputs: frozenset[str]

    @property
    def ref(self) -> PolicyRef:
        """The id and version recorded with every decision this policy makes."""
        return PolicyRef(id=self.id, version=self.version)


def content_version(content: bytes) -> str:
    """A policy version: the SHA-256 of the file's bytes, so any edit is a new version."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


def read_policy(path: Path) -> PolicyFile:
    """Read and check one policy file."""
    try:
        content = path.read_bytes()
        text = content.decode("utf-8")
        graph = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidPolicy(f"{path}: not a readable JSON file ({error})") from error
    schema = _checked_input_schema(path, graph)
    return PolicyFile(
        id=path.stem,
        path=path,
        text=text,
        version=content_version(content),
        graph=graph,
        input_schema=schema,
        required_inputs=frozenset(schema.get("required", [])),
    )


def discover(directories: Iterable[Path]) -> dict[str, PolicyFile]:
    """All `*.json` policies in the directories; a later directory overrides an earlier one."""
    found: dict[str, PolicyFile] = {}
    for directory in directories:
        if not directory.is_dir():
            raise InvalidPolicy(f"policy directory {directory} does not exist")
        for path in sorted(directory.glob("*.json")):
            policy = read_policy(path)
            found[policy.id] = policy
    return found


def _checked_input_schema(path: Path, graph: object) -> dict[str, Any]:
    """The input node's JSON schema, once the graph is known to be a usable policy."""
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        raise InvalidPolicy(f"{path}: not a JDM decision graph (no 'nodes' list)")
    if not all(isinstance(node, dict) for node in graph["nodes"]):
        raise InvalidPolicy(f"{path}: every entry of 'nodes' must be an object")
    content_type = graph.get("contentType", JDM_CONTENT_TYPE)
    if content_type != JDM_CONTENT_TYPE:
        raise InvalidPolicy(f"{path}: contentType is {content_type!r}, expected {JDM_CONTENT_TYPE}")
    inputs = [node for node in graph["nodes"] if node.get("type") == "inputNode"]
    if len(inputs) != 1:
        raise InvalidPolicy(f"{path}: a policy needs exactly one input node, found {len(inputs)}")
    schema = (inputs[0].get("content") or {}).get("schema")
    if not schema:
        raise InvalidPolicy(
            f"{path}: the input node has no JSON schema; without one a missing or mistyped "
            "field would silently fall through to a default row"
        )
    try:
        parsed = json.loads(schema) if isinstance(schema, str) else schema
    except json.JSONDecodeError as error:
        raise InvalidPolicy(f"{path}: the input node's schema is not JSON ({error})") from None
    if not isinstance(parsed, dict):
        raise InvalidPolicy(f"{path}: the input node's schema is not a JSON object")
    return parsed
