"""Every function bankdesk deploys, by the seeds' names."""

from collections.abc import Mapping

from bankdesk.banking.agents import AGENTS
from bankdesk.runtime.banking import agent_function, retail_banking_router
from bankdesk.runtime.executor import LENDING_DECISION, ROUTER, Function
from bankdesk.runtime.lending import lending_decision

FUNCTIONS: Mapping[str, Function] = {
    LENDING_DECISION: lending_decision,
    ROUTER: retail_banking_router,
    **{name: agent_function(name) for name in AGENTS},
}
