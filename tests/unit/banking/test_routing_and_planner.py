"""The routing table file and the planner's choice of agents."""

from pathlib import Path

import pytest

from bankdesk.banking.planner import COMPLIANCE, DISPUTES, FRAUD_CHECK, plan
from bankdesk.banking.routing import PACKAGED_ROUTING, Routing, read_routing
from bankdesk.banking.schemas import Classification
from bankdesk.bootstrap import bootstrap
from bankdesk.domain.errors import InvalidSettings
from bankdesk.settings import Settings

AGENTS = (
    "fraud-check-agent",
    "customer-service-agent",
    "loan-assistant-agent",
    "account-summary-agent",
    "general-support-agent",
    "compliance-review-agent",
)
SEED_ROUTES = {
    "fraud_report": "fraud-check-agent",
    "card_dispute": "customer-service-agent",
    "loan_question": "loan-assistant-agent",
    "balance_inquiry": "account-summary-agent",
    "general_support": "general-support-agent",
}


@pytest.fixture
def routing() -> Routing:
    return read_routing(None, agents=AGENTS)


@pytest.mark.parametrize(("intent", "agent"), SEED_ROUTES.items())
def test_the_packaged_table_is_the_seeds(routing: Routing, intent: str, agent: str) -> None:
    assert routing.agent_for(intent) == agent


def test_an_intent_the_table_does_not_name_goes_to_the_default(routing: Routing) -> None:
    assert routing.agent_for("exchange_rate") == "general-support-agent"
    assert routing.source == str(PACKAGED_ROUTING)


def test_a_bank_maps_a_finer_taxonomy_in_its_own_file(tmp_path: Path) -> None:
    table = tmp_path / "routing.toml"
    table.write_text(
        'default = "general-support-agent"\n[intents]\n'
        'lost_or_stolen_card = "fraud-check-agent"\nbalance_not_updated = "account-summary-agent"\n'
    )

    routing = read_routing(table, agents=AGENTS)

    assert routing.agent_for("lost_or_stolen_card") == "fraud-check-agent"
    assert routing.agent_for("balance_not_updated") == "account-summary-agent"
    assert routing.agent_for("card_arrival") == "general-support-agent"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('default = "nobody"\n[intents]\n', "default = 'nobody'"),
        ('default = "general-support-agent"\n[intents]\nx = "ghost"\n', "intents.x = 'ghost'"),
        ("[intents]\n", "needs `default"),
        ("default = ", "routing file"),
    ],
)
def test_a_broken_table_is_refused_with_what_is_wrong(
    tmp_path: Path, content: str, message: str
) -> None:
    table = tmp_path / "routing.toml"
    table.write_text(content)

    with pytest.raises(InvalidSettings, match="routing file") as raised:
        read_routing(table, agents=AGENTS)

    assert message in str(raised.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidSettings, match="routing file"):
        read_routing(tmp_path / "absent.toml", agents=AGENTS)


def _classified(intent: str, *secondary: str) -> Classification:
    return Classification(
        intent=intent, confidence=0.9, summary="s", secondary_intents=list(secondary)
    )


def test_the_seed_example_goes_to_disputes_fraud_check_and_compliance(routing: Routing) -> None:
    message = "I saw an unfamiliar card payment from last night and I want to dispute it."

    chosen = plan(_classified("card_dispute"), message, routing=routing)

    assert chosen.agents == (DISPUTES, FRAUD_CHECK, COMPLIANCE)


def test_a_dispute_of_a_recognised_payment_needs_no_fraud_check(routing: Routing) -> None:
    chosen = plan(_classified("card_dispute"), "I was charged twice at Target", routing=routing)

    assert chosen.agents == (DISPUTES, COMPLIANCE)


def test_a_fraud_report_asking_for_the_money_back_also_goes_to_disputes(
    routing: Routing,
) -> None:
    message = "My card was stolen and someone spent $300, I want a refund"

    chosen = plan(_classified("fraud_report"), message, routing=routing)

    assert chosen.agents == (FRAUD_CHECK, DISPUTES, COMPLIANCE)


def test_secondary_intents_add_their_agents_once(routing: Routing) -> None:
    classified = _classified("balance_inquiry", "loan_question", "balance_inquiry")

    chosen = plan(classified, "What's my balance and when is my loan payment due?", routing=routing)

    assert chosen.agents == ("account-summary-agent", "loan-assistant-agent", COMPLIANCE)
    assert chosen.steps[0].reason == "main intent balance_inquiry"
    assert chosen.steps[1].reason == "secondary intent loan_question"


def test_a_broken_triage_model_file_stops_start_up_naming_the_setting(tmp_path: Path) -> None:
    broken = tmp_path / "model.npz"
    broken.write_bytes(b"not a model")

    with pytest.raises(InvalidSettings, match="BANKDESK_TRIAGE_MODEL"):
        bootstrap(Settings(triage_model=broken))  # type: ignore[call-arg]


def test_the_banking77_example_table_routes_a_finer_taxonomy() -> None:
    example = Path(__file__).resolve().parents[3] / "examples" / "routing-banking77.toml"

    routing = read_routing(example, agents=AGENTS)

    assert routing.agent_for("card_payment_not_recognised") == "fraud-check-agent"
    assert routing.agent_for("transaction_charged_twice") == "customer-service-agent"
    assert routing.agent_for("reverted_card_payment?") == "customer-service-agent"
    assert routing.agent_for("card_arrival") == "general-support-agent"
