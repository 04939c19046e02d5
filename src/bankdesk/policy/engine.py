"""Evaluate policies with one shared ZenEngine whose loader serves pre-parsed graphs."""

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import zen

from bankdesk.domain.decision import Outcome, PolicyResult, Reason
from bankdesk.domain.errors import InvalidPolicy, PolicyInputRejected, PolicyNotFound
from bankdesk.policy.registry import PolicyFile

PolicyInput = Mapping[str, Decimal | int | str | None]
# zen-engine's decimals hold about 28 digits; keep inputs well inside so that products such as
# income * 10 cannot overflow inside a policy.
MAX_INPUT_MAGNITUDE = Decimal("1e20")
MAX_INPUT_DIGITS = 24
DECIDED_OUTCOMES = frozenset({Outcome.APPROVE, Outcome.REVIEW, Outcome.DECLINE})


class PolicyEngine:
    """The installed policies, evaluated by id with the engine's rule trace."""

    def __init__(self, policies: Mapping[str, PolicyFile]) -> None:
        self._policies = dict(policies)
        self._contents = {key: _parse(policy) for key, policy in self._policies.items()}
        self._engine = zen.ZenEngine({"loader": self._contents.__getitem__})

    def ids(self) -> list[str]:
        """Ids of the installed policies, sorted."""
        return sorted(self._policies)

    def get(self, policy_id: str) -> PolicyFile:
        """One installed policy, or PolicyNotFound."""
        try:
            return self._policies[policy_id]
        except KeyError:
            raise PolicyNotFound(policy_id, self.ids()) from None

    def evaluate(self, policy_id: str, values: PolicyInput) -> PolicyResult:
        """Run a policy on the values; the input schema rejects missing or mistyped fields."""
        policy = self.get(policy_id)
        try:
            context = _context_json(policy_id, values)
            response = self._engine.evaluate(policy_id, context, {"trace": True})
        except RuntimeError as error:
            raise _translate(policy, error) from None
        return _result(policy, response)


def _parse(policy: PolicyFile) -> zen.ZenDecisionContent:
    try:
        return zen.ZenDecisionContent(policy.text)
    except Exception as error:
        reason = zen_message(error)
        raise InvalidPolicy(f"{policy.path}: zen-engine cannot load it ({reason})") from None


def _context_json(policy_id: str, values: PolicyInput) -> str:
    """Serialise inputs as JSON text so Decimals reach the engine's decimal numbers exactly."""
    items = []
    for key, value in values.items():
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise PolicyInputRejected(policy_id, f"{key} is not a finite number")
            if abs(value) >= MAX_INPUT_MAGNITUDE:
                raise PolicyInputRejected(policy_id, f"{key} is too large to evaluate")
            if len(value.as_tuple().digits) > MAX_INPUT_DIGITS:
                raise PolicyInputRejected(
                    policy_id, f"{key} has more digits than the policy can evaluate exactly"
                )
            encoded = format(value, "f")
        else:
            encoded = json.dumps(value)
        items.append(f"{json.dumps(key)}: {encoded}")
    return "{" + ", ".join(items) + "}"


def _translate(policy: PolicyFile, error: RuntimeError) -> Exception:
    """Turn zen's error (a JSON line followed by a backtrace) into a domain error."""
    first_line = zen_message(error)
    try:
        detail = json.loads(first_line)
    except json.JSONDecodeError:
        return InvalidPolicy(f"policy {policy.id!r} failed: {first_line}")
    source = str(detail.get("source", detail))
    if detail.get("type") == "NodeError" and _is_input_node(policy, detail.get("nodeId")):
        return PolicyInputRejected(policy.id, source.lstrip(": ").lstrip("/"))
    return InvalidPolicy(f"policy {policy.id!r} failed in node {detail.get('nodeId')}: {source}")


def zen_message(error: Exception) -> str:
    """zen's error text without the Rust backtrace it appends when RUST_BACKTRACE is set."""
    text = str(error).split("Stack backtrace:", 1)[0].strip()
    return text.split("\n", 1)[0] if text.startswith("{") else " ".join(text.split())


def _is_input_node(policy: PolicyFile, node_id: object) -> bool:
    return any(
        node.get("id") == node_id and node.get("type") == "inputNode"
        for node in policy.graph["nodes"]
    )


def _result(policy: PolicyFile, response: Mapping[str, Any]) -> PolicyResult:
    result = response["result"]
    raw_outcome = result.get("outcome")
    if raw_outcome not in DECIDED_OUTCOMES:
        raise InvalidPolicy(
            f"policy {policy.id!r} returned outcome {raw_outcome!r}; "
            "expected one of approve, review, decline"
        )
    figures = {
        name: Decimal(repr(value))
        for name, value in (result.get("figures") or {}).items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }
    reasons = tuple(
        Reason(code=str(item["code"]), message=str(item.get("message", item["code"])))
        for item in result.get("reasons") or []
    )
    return PolicyResult(
        outcome=Outcome(raw_outcome),
        policy=policy.ref,
        figures=figures,
        reasons=reasons,
        trace=response.get("trace") or {},
    )
