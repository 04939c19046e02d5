"""The dispute-eligibility policy: who may dispute a payment, and who gets provisional credit."""

from decimal import Decimal
from itertools import product

import pytest

from bankdesk.domain.decision import Outcome, PolicyResult
from bankdesk.domain.errors import PolicyInputRejected
from bankdesk.policy.engine import PolicyEngine

POLICY = "dispute-eligibility"
APPROVE, REVIEW, DECLINE = Outcome.APPROVE, Outcome.REVIEW, Outcome.DECLINE
ALREADY = "ALREADY_DISPUTED"
PENDING = "TRANSACTION_PENDING"
REVERSED = "TRANSACTION_REVERSED"
DECLINED = "TRANSACTION_DECLINED"
TOO_OLD = "TIME_LIMIT_EXCEEDED"
LARGE = "AMOUNT_ABOVE_PROVISIONAL_LIMIT"
MERCHANT = "MERCHANT_DISPUTE_NEEDS_REVIEW"
OTHER = "REASON_NEEDS_REVIEW"
NOT_CARD = "NOT_A_CARD_PAYMENT"
SEED = {  # the seed's unfamiliar payment from last night
    "days_since_transaction": 1,
    "status": "posted",
    "already_disputed": False,
    "amount": Decimal("389.99"),
    "reason": "unrecognised",
    "channel": "online",
    "currency": "USD",
}


def decide(policies: PolicyEngine, **changes) -> PolicyResult:
    return policies.evaluate(POLICY, {**SEED, **changes})


def codes(result: PolicyResult) -> set[str]:
    return {reason.code for reason in result.reasons}


def row(case_id, changes, outcome, reasons, credit="0"):
    return pytest.param(changes, outcome, set(reasons), Decimal(credit), id=case_id)


BRANCHES = [
    row("seed-unrecognised-last-night", {}, APPROVE, [], "389.99"),
    row("duplicate-charge", {"reason": "duplicate"}, APPROVE, [], "389.99"),
    row("atm-withdrawal", {"channel": "atm"}, APPROVE, [], "389.99"),
    # time limit around 120 days
    row("day-120", {"days_since_transaction": 120}, APPROVE, [], "389.99"),
    row("day-121", {"days_since_transaction": 121}, DECLINE, [TOO_OLD]),
    row("a-year-old", {"days_since_transaction": 365}, DECLINE, [TOO_OLD]),
    row("today", {"days_since_transaction": 0}, APPROVE, [], "389.99"),
    # provisional credit limit around 2,500
    row("amount-2500", {"amount": Decimal("2500")}, APPROVE, [], "2500"),
    row("amount-2500.01", {"amount": Decimal("2500.01")}, REVIEW, [LARGE]),
    # status
    row("pending-waits", {"status": "pending"}, REVIEW, [PENDING]),
    row("reversed", {"status": "reversed"}, DECLINE, [REVERSED]),
    row("declined", {"status": "declined"}, DECLINE, [DECLINED]),
    row("already-disputed", {"already_disputed": True}, DECLINE, [ALREADY]),
    # reasons that need the merchant's side or a person
    row("not-received", {"reason": "not_received"}, REVIEW, [MERCHANT]),
    row("wrong-amount", {"reason": "wrong_amount"}, REVIEW, [MERCHANT]),
    row("cancelled", {"reason": "cancelled"}, REVIEW, [MERCHANT]),
    row("other-reason", {"reason": "other"}, REVIEW, [OTHER]),
    row("transfer", {"channel": "transfer"}, REVIEW, [NOT_CARD]),
    row("direct-debit", {"channel": "direct_debit"}, REVIEW, [NOT_CARD]),
    # several reasons at once: decline wins over review
    row("old-and-large", {"days_since_transaction": 200, "amount": Decimal("9000")}, DECLINE,
        [TOO_OLD, LARGE]),
    row("pending-and-large", {"status": "pending", "amount": Decimal("9000")}, REVIEW,
        [PENDING, LARGE]),
    row("disputed-and-old", {"already_disputed": True, "days_since_transaction": 130}, DECLINE,
        [ALREADY, TOO_OLD]),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "outcome", "reasons", "credit"), BRANCHES)
def test_branches_and_boundaries(policies, changes, outcome, reasons, credit):
    result = decide(policies, **changes)

    assert result.outcome is outcome
    assert codes(result) == reasons
    assert result.figures["provisional_credit"] == credit


@pytest.mark.parametrize("outcome", [APPROVE, REVIEW, DECLINE], ids=str)
def test_trace_names_the_rule_that_decided(policies, outcome):
    changes = {APPROVE: {}, REVIEW: {"reason": "other"}, DECLINE: {"status": "reversed"}}
    result = decide(policies, **changes[outcome])

    rule = result.trace["outcome"]["traceData"]["rule"]["_id"]
    assert rule.split("-")[0] == outcome.value


def test_result_names_the_policy_its_content_hash_and_limits(policies):
    result = decide(policies)

    assert result.policy == policies.get(POLICY).ref
    assert result.policy.version.startswith("sha256:")
    assert result.figures["time_limit_days"] == 120
    assert result.figures["provisional_credit_limit"] == 2500


def test_every_reason_has_a_message_for_the_customer(policies):
    result = decide(policies, days_since_transaction=200, status="pending", reason="other",
                    channel="transfer", amount=Decimal("9000"), already_disputed=True)  # fmt: skip

    assert len(result.reasons) == 6
    assert all(reason.message and reason.message != reason.code for reason in result.reasons)


GRID = [
    pytest.param(days, status, disputed, amount, reason, channel,
                 id=f"{days}d-{status}-{disputed=}-{amount}-{reason}-{channel}")
    for days, status, disputed, amount, reason, channel in product(
        [120, 121], ["posted", "pending", "reversed", "declined"], [False, True],
        ["2500", "2500.01"],
        ["unrecognised", "duplicate", "not_received", "wrong_amount", "cancelled", "other"],
        ["card_present", "atm", "direct_debit", "transfer"],
    )
]  # fmt: skip


@pytest.mark.parametrize(("days", "status", "disputed", "amount", "reason", "channel"), GRID)
def test_approves_exactly_when_nothing_stands_in_the_way(
    policies, days, status, disputed, amount, reason, channel
):
    result = decide(
        policies, days_since_transaction=days, status=status, already_disputed=disputed,
        amount=Decimal(amount), reason=reason, channel=channel,
    )  # fmt: skip

    blocked = disputed or status in ("reversed", "declined") or days > 120
    assert (result.outcome is DECLINE) == blocked
    assert (result.outcome is APPROVE) == (not result.reasons)
    credit = result.figures["provisional_credit"]
    assert credit == (Decimal(amount) if result.outcome is APPROVE else 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"days_since_transaction": -1}, "days_since_transaction", id="days-negative"),
        pytest.param({"days_since_transaction": 1.5}, "days_since_transaction", id="days-fraction"),
        pytest.param({"status": "settled"}, "status", id="status-unknown"),
        pytest.param({"already_disputed": "no"}, "already_disputed", id="disputed-text"),
        pytest.param({"amount": Decimal("-389.99")}, "amount", id="amount-negative"),
        pytest.param({"amount": "389.99"}, "amount", id="amount-text"),
        pytest.param({"reason": "fraud"}, "reason", id="reason-unknown"),
        pytest.param({"channel": "cheque"}, "channel", id="channel-unknown"),
        pytest.param({"currency": "EUR"}, "currency", id="currency-not-usd"),
    ],
)
def test_input_schema_rejects_bad_values(policies, changes, field):
    with pytest.raises(PolicyInputRejected) as rejected:
        decide(policies, **changes)

    assert field in str(rejected.value)
    assert rejected.value.policy_id == POLICY


@pytest.mark.parametrize(
    "missing", ["days_since_transaction", "status", "already_disputed", "amount", "reason",
                "channel"],
)  # fmt: skip
def test_every_input_but_currency_is_required(policies, missing):
    values = {key: value for key, value in SEED.items() if key != missing}

    with pytest.raises(PolicyInputRejected) as rejected:
        policies.evaluate(POLICY, values)

    assert missing in str(rejected.value)


def test_currency_may_be_left_out(policies):
    values = {key: value for key, value in SEED.items() if key != "currency"}

    assert policies.evaluate(POLICY, values).outcome is APPROVE
