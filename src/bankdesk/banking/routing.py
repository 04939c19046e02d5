"""The routing table: which specialist agent works each intent, read from a TOML file."""

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bankdesk.domain.errors import InvalidSettings

PACKAGED_ROUTING = Path(__file__).parent / "data" / "routing.toml"


@dataclass(frozen=True, slots=True)
class Routing:
    """Intent -> agent, and the agent for any intent the table does not name."""

    intents: Mapping[str, str]
    default: str
    source: str

    def agent_for(self, intent: str) -> str:
        """The agent that works an intent."""
        return self.intents.get(intent, self.default)


def read_routing(path: Path | None, *, agents: Iterable[str]) -> Routing:
    """The table in a file (the packaged one when None), every agent checked to exist."""
    path = path or PACKAGED_ROUTING
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InvalidSettings(f"routing file {path}: {error}") from None
    intents, default = table.get("intents", {}), table.get("default")
    if not isinstance(intents, dict) or not isinstance(default, str):
        raise InvalidSettings(
            f'routing file {path} needs `default = "<agent>"` and an [intents] table'
        )
    known = set(agents)
    named = {"default": default} | {f"intents.{key}": value for key, value in intents.items()}
    unknown = {key: value for key, value in named.items() if value not in known}
    if unknown:
        listed = ", ".join(f"{key} = {value!r}" for key, value in unknown.items())
        raise InvalidSettings(
            f"routing file {path} names agents that do not exist: {listed}; "
            f"agents: {', '.join(sorted(known))}"
        )
    return Routing(intents=dict(intents), default=default, source=str(path))
