"""The demo bank: the same inputs give the same bank, its figures add up, and the showcase
customers hold the situations the product's demo relies on."""

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from stdnum import luhn

from bankdesk.banking.demo_data import DemoBank, customer_ids, demo_bank
from bankdesk.banking.demo_loans import amortise, monthly_payment
from bankdesk.store.banking_models import (
    Card,
    Customer,
    DepositAccount,
    Loan,
    LoanInstallment,
    LoanPayment,
    Transaction,
)

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
CENT = Decimal("0.01")
CHANNELS = {"card_present", "online", "contactless", "atm", "direct_debit", "transfer"}
STATUSES = {"pending", "posted", "reversed", "declined"}


def rows_of(bank: DemoBank, kind: type) -> list:
    return [row for row in bank.rows if isinstance(row, kind)]


def snapshot(bank: DemoBank) -> list[tuple[str, dict]]:
    """Every row's column values, in order (ORM objects compare by identity)."""
    return [
        (type(row).__name__, {column.key: getattr(row, column.key) for column in row.__table__.c})
        for row in bank.rows
    ]


def history(bank: DemoBank, customer_id: str) -> list[Transaction]:
    accounts = {row.id for row in rows_of(bank, DepositAccount) if row.customer_id == customer_id}
    return sorted(
        (row for row in rows_of(bank, Transaction) if row.account_id in accounts),
        key=lambda row: row.occurred_at,
    )


@pytest.fixture(scope="module")
def bank() -> DemoBank:
    # 200 customers: the invariants hold across many, and the build stays quick without a DB.
    return demo_bank(customers=200, seed=7, as_of=NOW)


def test_the_same_inputs_give_the_same_bank_and_another_seed_another():
    first = demo_bank(customers=8, seed=7, as_of=NOW)
    again = demo_bank(customers=8, seed=7, as_of=NOW)
    other = demo_bank(customers=8, seed=8, as_of=NOW)

    assert snapshot(first) == snapshot(again)
    assert first.counts == again.counts
    assert first.showcase == again.showcase
    assert snapshot(first) != snapshot(other)
    names = {row.full_name for row in rows_of(first, Customer)}
    assert names != {row.full_name for row in rows_of(other, Customer)}


def test_adding_customers_leaves_the_earlier_ones_unchanged():
    small = snapshot(demo_bank(customers=5, seed=7, as_of=NOW))
    large = snapshot(demo_bank(customers=9, seed=7, as_of=NOW))

    assert [row for row in small if row[0] == "Customer"] == [
        row for row in large if row[0] == "Customer"
    ][:5]
    assert all(row in large for row in small)


def test_rows_come_in_foreign_key_order_and_the_counts_match(bank):
    order = ["Customer", "DepositAccount", "Card", "Transaction", "Loan", "LoanInstallment",
             "LoanPayment"]  # fmt: skip
    kinds = [type(row).__name__ for row in bank.rows]

    assert sorted(kinds, key=order.index) == kinds
    assert len(bank.rows) == sum(bank.counts.as_dict().values())
    assert bank.counts.customers == 200
    assert 1 <= bank.counts.accounts / 200 <= 3
    assert bank.counts.loans > 40


def test_customers_look_real_and_reach_no_one(bank):
    customers = rows_of(bank, Customer)
    ids = [row.id for row in customers]

    assert len(set(ids)) == 200
    assert all(re.fullmatch(r"cust_\d{5}", item) for item in ids)
    assert ids[:4] == ["cust_12345", "cust_10002", "cust_10003", "cust_10004"]
    assert 0.75 < sum(row.country == "US" for row in customers) / 200 < 1
    assert {row.country for row in customers} >= {"US", "CA", "GB"}
    assert all(re.fullmatch(r"[a-z0-9.]+@example\.(com|net|org)", row.email) for row in customers)
    assert all(" " in row.full_name and row.city for row in customers)
    assert all(row.created_at < NOW - timedelta(days=300) for row in customers)


def test_accounts_numbers_are_unique_valid_and_each_customer_has_one_to_three(bank):
    accounts = rows_of(bank, DepositAccount)
    per_customer = defaultdict(list)
    for account in accounts:
        per_customer[account.customer_id].append(account.kind)

    numbers = [account.number for account in accounts]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\d{10,12}", number) and luhn.is_valid(number) for number in numbers)
    assert all(1 <= len(kinds) <= 3 and kinds[0] == "checking" for kinds in per_customer.values())
    assert len(per_customer) == 200


def test_balances_follow_from_the_transactions(bank):
    by_account = defaultdict(list)
    for item in rows_of(bank, Transaction):
        by_account[item.account_id].append(item)

    for account in rows_of(bank, DepositAccount):
        items = by_account[account.id]
        posted = sum((item.amount for item in items if item.status == "posted"), Decimal(0))
        pending = sum((item.amount for item in items if item.status == "pending"), Decimal(0))
        assert account.balance == bank.opening_balances[account.id] + posted, account.id
        assert account.available_balance == account.balance + pending, account.id
        assert account.balance >= 0 and account.available_balance >= 0
        assert account.balance.as_tuple().exponent == -2


def test_transactions_are_well_formed(bank):
    accounts = {row.id: row for row in rows_of(bank, DepositAccount)}
    cards = {row.id: row for row in rows_of(bank, Card)}
    items = rows_of(bank, Transaction)

    assert len({item.id for item in items}) == len(items)
    for item in items:
        account = accounts[item.account_id]
        assert item.occurred_at.tzinfo is not None and item.occurred_at < NOW
        assert item.occurred_at > NOW - timedelta(days=121)
        assert item.amount.as_tuple().exponent == -2 and item.amount != 0
        assert item.currency == account.currency
        assert item.channel in CHANNELS and item.status in STATUSES
        assert re.fullmatch(r"[A-Z]{2}", item.country)
        if item.card_id is not None:
            card = cards[item.card_id]
            assert card.customer_id == account.customer_id and card.account_id == account.id
            assert card.status == "active"
        if item.status == "pending":
            assert item.occurred_at >= NOW - timedelta(days=2)


def test_a_routine_of_pay_bills_and_spending(bank):
    categories = defaultdict(set)
    for item in rows_of(bank, Transaction):
        categories[item.account_id].add((item.category, item.channel))
    checking = [row.id for row in rows_of(bank, DepositAccount) if row.kind == "checking"]
    statuses = {item.status for item in rows_of(bank, Transaction)}

    for account_id in checking:
        seen = categories[account_id]
        assert ("salary", "transfer") in seen
        assert ("subscriptions", "online") in seen
        assert ("utilities", "direct_debit") in seen
        assert ("groceries", "card_present") in seen
    assert statuses == STATUSES
    salaries = [item for item in history(bank, "cust_10001") if item.category == "salary"]
    assert 4 <= len(salaries) <= 9 and len({item.amount for item in salaries}) == 1


def test_cards_have_last_four_digits_network_and_expiry(bank):
    cards = rows_of(bank, Card)
    per_customer = defaultdict(int)
    for card in cards:
        per_customer[card.customer_id] += 1
        assert re.fullmatch(r"\d{4}", card.last4)
        assert card.network in {"visa", "mastercard"}
        month, year = re.fullmatch(r"(\d\d)/(\d\d)", card.expires).groups()
        expires = (2000 + int(year), int(month))
        assert 1 <= int(month) <= 12
        assert (expires >= (NOW.year, NOW.month)) == (card.status == "active"), card.id
        assert card.issued_at < NOW

    assert set(per_customer.values()) == {1, 2}


def test_every_loan_schedule_adds_up(bank):
    installments = defaultdict(list)
    payments = defaultdict(list)
    for row in rows_of(bank, LoanInstallment):
        installments[row.loan_id].append(row)
    for row in rows_of(bank, LoanPayment):
        payments[row.loan_id].append(row)

    for loan in rows_of(bank, Loan):
        schedule = installments[loan.id]
        paid = {row.number for row in schedule if row.status == "paid"}
        assert [row.number for row in schedule] == list(range(1, loan.term_months + 1))
        assert sum(row.principal for row in schedule) == loan.principal
        assert all(row.amount == row.principal + row.interest for row in schedule)
        assert all(row.amount.as_tuple().exponent == -2 for row in schedule)
        assert schedule[0].amount == loan.monthly_payment
        assert {row.installment_number for row in payments[loan.id]} == paid
        assert all(row.paid_at < NOW for row in payments[loan.id])
        assert all(row.due_on < NOW.date() for row in schedule if row.number in paid)
        unpaid = [row for row in schedule if row.number not in paid]
        assert loan.balance == sum((row.principal for row in unpaid), Decimal(0))
        late = [row for row in schedule if row.status == "late"]
        assert (loan.status == "late") == bool(late)
        assert all(row.due_on < NOW.date() for row in late)
        assert loan.status != "paid_off" or not unpaid


def test_loans_are_of_every_kind_and_a_few_are_late(bank):
    loans = rows_of(bank, Loan)

    assert {loan.kind for loan in loans} == {"personal", "auto", "mortgage"}
    assert 1 <= sum(loan.status == "late" for loan in loans) <= len(loans) // 4


def test_the_unfamiliar_payment_from_last_night(bank):
    items = history(bank, "cust_12345")
    last_day = [item for item in items if item.occurred_at >= NOW - timedelta(hours=24)]
    before = [item for item in items if item.occurred_at < NOW - timedelta(hours=24)]
    countries = {item.country for item in before}
    new = [item for item in last_day if item.country not in countries]

    assert countries == {"US"}
    assert len(new) == 1
    payment = new[0]
    assert payment.id == "tx_12345_unfamiliar"
    assert payment.merchant not in {item.merchant for item in items if item is not payment}
    assert (payment.channel, payment.status, payment.currency) == ("online", "posted", "USD")
    assert payment.card_id is not None
    assert Decimal(-500) < payment.amount < Decimal(-200)
    yesterday = NOW.date() - timedelta(days=1)
    assert payment.occurred_at.date() == yesterday
    assert (payment.occurred_at.hour, payment.occurred_at.minute // 10) == (23, 4)


def test_the_unfamiliar_payment_customer_has_a_personal_loan_due_soon(bank):
    loan = next(row for row in rows_of(bank, Loan) if row.customer_id == "cust_12345")
    due = [row for row in rows_of(bank, LoanInstallment) if row.loan_id == loan.id]
    next_due = next(row for row in due if row.status == "due")

    assert (loan.kind, loan.status) == ("personal", "current")
    assert timedelta(days=3) <= next_due.due_on - NOW.date() <= timedelta(days=10)


def test_card_used_several_times_abroad_within_an_hour(bank):
    items = [item for item in history(bank, "cust_10002") if item.country != "US"]
    used = [item for item in items if item.status != "declined"]

    assert len(used) >= 4
    assert len({item.country for item in items}) == 1
    assert len({item.card_id for item in items}) == 1
    assert used[-1].occurred_at - used[0].occurred_at <= timedelta(hours=1)
    assert {item.occurred_at.date() for item in items} == {NOW.date() - timedelta(days=1)}


def test_charged_twice_for_the_same_purchase(bank):
    items = history(bank, "cust_10003")
    first, second = (item for item in items if item.id.startswith("tx_10003_duplicate"))

    assert (first.merchant, first.amount) == (second.merchant, second.amount)
    assert timedelta(0) < second.occurred_at - first.occurred_at <= timedelta(minutes=5)
    assert first.status == second.status == "posted"
    assert [item.merchant for item in items].count(first.merchant) == 2


def test_a_late_loan_installment(bank):
    loan = next(row for row in rows_of(bank, Loan) if row.customer_id == "cust_10004")
    late = [row for row in rows_of(bank, LoanInstallment) if row.loan_id == loan.id
            and row.status == "late"]  # fmt: skip
    paid_numbers = {row.installment_number for row in rows_of(bank, LoanPayment)
                    if row.loan_id == loan.id}  # fmt: skip

    assert loan.status == "late"
    assert len(late) == 1
    assert timedelta(days=5) <= NOW.date() - late[0].due_on <= timedelta(days=20)
    assert late[0].number not in paid_numbers
    assert late[0].number - 1 in paid_numbers


def test_the_showcase_is_described_for_the_demo(bank):
    showcase = {item.customer_id: item for item in bank.showcase}

    assert bank.showcase_ids == ("cust_12345", "cust_10002", "cust_10003", "cust_10004")
    assert showcase["cust_12345"].message == (
        "I saw an unfamiliar card payment from last night and I want to dispute it."
    )
    assert showcase["cust_12345"].transaction_ids == ("tx_12345_unfamiliar",)
    assert "ELECTRO-MART" in showcase["cust_12345"].story or "(" in showcase["cust_12345"].story
    assert showcase["cust_10004"].loan_id is not None
    assert all(item.story and item.message for item in bank.showcase)


@pytest.mark.parametrize("as_of", [
    datetime(2026, 3, 1, 0, 5, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2028, 2, 29, 12, 0, tzinfo=UTC),
])  # fmt: skip
def test_the_showcase_holds_whatever_the_time_of_day_or_month(as_of):
    bank = demo_bank(customers=4, seed=3, as_of=as_of)
    items = rows_of(bank, Transaction)
    unfamiliar = next(item for item in items if item.id == "tx_12345_unfamiliar")
    installments = rows_of(bank, LoanInstallment)

    assert all(item.occurred_at < as_of for item in items)
    assert unfamiliar.occurred_at.date() == as_of.date() - timedelta(days=1)
    assert any(row.status == "late" for row in installments)
    due = next(row for row in installments if row.status == "due")
    assert timedelta(days=3) <= due.due_on - as_of.date() <= timedelta(days=10)


def test_a_small_bank_has_the_first_showcase_customers():
    assert demo_bank(customers=1, seed=7, as_of=NOW).showcase_ids == ("cust_12345",)
    assert customer_ids(6) == [
        "cust_12345", "cust_10002", "cust_10003", "cust_10004", "cust_10001", "cust_10005",
    ]  # fmt: skip
    many = customer_ids(5000)
    assert len(set(many)) == 5000


def test_time_must_be_aware_and_the_size_sensible():
    with pytest.raises(ValueError, match="timezone"):
        demo_bank(customers=3, seed=7, as_of=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="customers"):
        demo_bank(customers=0, seed=7, as_of=NOW)


def test_a_level_payment_schedule():
    payment = monthly_payment(
        principal=Decimal(12000), annual_rate=Decimal("0.085"), term_months=36
    )
    schedule = amortise(
        principal=Decimal(12000), annual_rate=Decimal("0.085"), term_months=36,
        first_due=date(2026, 1, 5),
    )  # fmt: skip

    assert payment == Decimal("378.81")
    assert schedule[0].interest == Decimal("85.00")
    assert schedule[0].principal == Decimal("293.81")
    assert sum(row.principal for row in schedule) == Decimal(12000)
    assert schedule[-1].due_on.isoformat() == "2028-12-05"
    assert abs(schedule[-1].amount - payment) < 1
