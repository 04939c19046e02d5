"""The functions bankdesk deploys: handler, time limit and memory, as the SAM template has them
(a test holds the template to this table)."""

from dataclasses import dataclass, field

from bankdesk.banking.agents import AGENTS
from bankdesk.runtime.executor import LENDING_DECISION, ROUTER

HANDLERS_MODULE = "bankdesk.runtime.handlers"


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One function: its seed name, handler, time limit, memory, and concurrency limit
    (None: as much as the account allows; 0: every invocation is throttled)."""

    name: str
    timeout_seconds: float
    memory_mb: int
    reserved_concurrency: int | None = None
    environment: dict[str, str] = field(default_factory=dict)
    module: str = HANDLERS_MODULE

    @property
    def handler(self) -> str:
        """`module.function` of the Lambda handler."""
        return f"{self.module}.{self.name.replace('-', '_')}"


# The router waits on the agents it fans out to, so it gets more time than any of them; the
# policy step is a few milliseconds of zen-engine. Memory buys CPU on Lambda: the agents
# that score or search (fraud, support) get more.
CATALOG: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec(LENDING_DECISION, timeout_seconds=10, memory_mb=512),
        FunctionSpec(ROUTER, timeout_seconds=60, memory_mb=1024),
        *(
            FunctionSpec(
                name,
                timeout_seconds=30,
                memory_mb=1024 if name in {"fraud-check-agent", "general-support-agent"} else 512,
            )
            for name in AGENTS
        ),
    )
}
