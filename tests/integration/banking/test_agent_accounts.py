"""The account-summary agent answers from the customer's own accounts, numbers masked."""

from datetime import timedelta
from decimal import Decimal

from tests.support.agents import run_agent
from tests.support.bank import NOW, SeededCustomer, seed_customer

from bankdesk.banking.accounts import account_summary_agent
from bankdesk.banking.formatting import format_money
from bankdesk.banking.redaction import contains_pii, mask_account
from bankdesk.banking.schemas import AgentResult, Urgency
from bankdesk.bootstrap import Bankdesk
from bankdesk.store.banking_models import DepositAccount
from bankdesk.store.unit_of_work import UnitOfWork


async def _seed(bankdesk: Bankdesk) -> SeededCustomer:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        seeded = await seed_customer(uow)
        await uow.commit()
    return seeded


async def _ask(bankdesk: Bankdesk, message: str, customer_id: str | None) -> AgentResult:
    result, _case_id = await run_agent(bankdesk, account_summary_agent, message, customer_id)
    return result


async def test_balances_pending_items_and_masked_numbers(bankdesk: Bankdesk) -> None:
    seeded = await _seed(bankdesk)
    result = await _ask(bankdesk, "What's my balance?", seeded.customer_id)

    answer = result.answer
    assert result.agent == "account-summary-agent"
    assert "balance $2,450.12, available $2,310.12" in answer
    assert "balance $10,200.00, available $10,200.00" in answer
    assert "1 pending item totalling -$140.00: Whole Foods Market -$140.00" in answer
    assert mask_account(seeded.checking_number) in answer
    assert seeded.checking_number not in answer
    assert seeded.checking_number[-8:] not in answer  # nothing beyond the last four digits
    assert not contains_pii(answer)  # so the reply shows it as written
    analysis = result.analysis.model_dump()
    assert analysis["issue_type"] == "balance_inquiry"
    assert analysis["urgency"] == Urgency.LOW
    assert analysis["flags"] == ["pending_items"]
    assert analysis["pending_count"] == 1
    assert analysis["pending_total"] == {"USD": "-140.00"}
    checking, savings = analysis["accounts"]
    assert checking == {
        "kind": "checking",
        "number": mask_account(seeded.checking_number),
        "currency": "USD",
        "status": "open",
        "balance": "2450.12",
        "available": "2310.12",
        "pending_count": 1,
        "pending_total": "-140.00",
    }
    assert (savings["kind"], savings["balance"], savings["pending_count"]) == (
        "savings",
        "10200.00",
        0,
    )


async def test_a_question_about_one_account_is_answered_about_it(bankdesk: Bankdesk) -> None:
    seeded = await _seed(bankdesk)
    result = await _ask(bankdesk, "How much is in my savings account?", seeded.customer_id)

    assert "$10,200.00" in result.answer
    assert "$2,450.12" not in result.answer
    assert [account["kind"] for account in result.analysis.model_dump()["accounts"]] == ["savings"]


async def test_overdrawn_and_foreign_currency_accounts(bankdesk: Bankdesk) -> None:
    seeded = await _seed(bankdesk)
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        checking = await uow.session.get(DepositAccount, seeded.checking_id)
        assert checking is not None
        checking.balance, checking.available_balance = Decimal("-25.40"), Decimal("-165.40")
        euros = DepositAccount(
            id="eur_cust_12345",
            customer_id=seeded.customer_id,
            kind="savings",
            number="DE89370400440532013000",
            currency="EUR",
            balance=Decimal("1234.50"),
            available_balance=Decimal("80.00"),
            opened_at=NOW - timedelta(days=30),
        )
        await uow.customers.add_all([euros])
        await uow.commit()

    result = await _ask(bankdesk, "balance please", seeded.customer_id)

    assert "balance -$25.40, available -$165.40" in result.answer
    assert "balance 1,234.50 EUR, available 80.00 EUR" in result.answer
    assert "overdrawn" in result.answer
    assert "DE89370400440532013000" not in result.answer
    assert "[account ending 3000]" in result.answer
    assert result.analysis.urgency == Urgency.NORMAL
    assert set(result.analysis.flags) == {"pending_items", "low_balance", "overdrawn"}


async def test_unidentified_and_unknown_customers_get_no_account_data(bankdesk: Bankdesk) -> None:
    seeded = await _seed(bankdesk)
    anonymous = await _ask(bankdesk, "What's my balance?", None)
    unknown = await _ask(bankdesk, "What's my balance?", "cust_99999")

    assert anonymous.analysis.flags == ["unidentified"]
    assert unknown.analysis.flags == ["unknown_customer"]
    for result in (anonymous, unknown):
        assert "$" not in result.answer
        assert seeded.checking_number[-4:] not in result.answer


def test_money_is_formatted_as_customers_read_it() -> None:
    assert format_money(Decimal("2310.12"), "USD") == "$2,310.12"
    assert format_money(Decimal("-140"), "USD") == "-$140.00"
    assert format_money(Decimal("1234"), "EUR") == "1,234.00 EUR"
    assert format_money(Decimal("0.005"), "USD") == "$0.00"  # half to even
