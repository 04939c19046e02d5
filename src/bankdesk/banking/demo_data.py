"""A deterministic, realistic demo bank: customers, accounts, cards, transactions and loans.

`demo_bank(customers=, seed=, as_of=)` is pure: the same three values give the same rows,
ids, amounts and times, with no database and no clock (each customer draws from their own
`random.Random` and seeded `Faker`, so adding customers leaves earlier ones unchanged).
`load_demo_data` stores them in an empty database.

Customers live mostly in US cities, a few in Canada, the UK and Ireland, and bank in their
home currency. Each has a checking account, often savings, one or two cards, and 60 to
120 days of history before as_of: pay twice a month, rent or a mortgage, utilities by
direct debit, card subscriptions, groceries, fuel, restaurants, shopping, ATM cash, now and
then a trip abroad; card payments of the last two days are mostly still pending, and a rare
one was declined or reversed. Balances follow from the history: the balance is the opening
balance plus the posted amounts, the available balance adds the pending ones. About half
hold a loan (personal, auto, mortgage) with its full schedule and the payments received.

Showcase customers (present when there are enough customers, in this order):

- `cust_12345`: one unfamiliar foreign online card payment late last night, a personal
  loan due within days: "I saw an unfamiliar card payment from last night...".
- `cust_10002`: their card used several times within an hour in Brazil yesterday.
- `cust_10003`: charged twice by the same merchant for the same amount, minutes apart.
- `cust_10004`: an auto loan with a late installment.

The others are `cust_10001`, `cust_10005`, `cust_10006`, ... (see `demo_showcase`).
"""

import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import chain, count, islice

from faker import Faker

from bankdesk.banking.demo_ledger import Draft, Wallet, activity, settle
from bankdesk.banking.demo_loans import LoanBook, book_loan, plan_loans
from bankdesk.banking.demo_people import make_accounts, make_cards, make_customer, make_profile
from bankdesk.banking.demo_showcase import SCENARIOS, ShowcaseCustomer, describe, scenario_drafts
from bankdesk.banking.demo_world import FOREIGN_HOMES, US_HOMES, Home, money
from bankdesk.domain.errors import BankdeskError
from bankdesk.store.banking_models import Card, Customer, DepositAccount, Transaction
from bankdesk.store.models import Base
from bankdesk.store.unit_of_work import UnitOfWork

SHOWCASE_IDS = tuple(SCENARIOS)
MAX_CUSTOMERS = 5000


class DemoDataExists(BankdeskError):
    """Demo data goes only into a database without customers."""

    def __init__(self, customers: int) -> None:
        self.customers = customers
        super().__init__(
            f"the database already has {customers:,} customers; demo data is loaded only into "
            "an empty database: set BANKDESK_DATABASE_URL to a new one "
            "(e.g. sqlite+aiosqlite:///./demo.db) and run the command again"
        )


@dataclass(frozen=True, slots=True)
class DemoCounts:
    """How many rows of each kind a demo bank has."""

    customers: int
    accounts: int
    cards: int
    transactions: int
    loans: int
    installments: int
    payments: int

    def as_dict(self) -> dict[str, int]:
        """The counts by name (for the audit trail and summaries)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class DemoBank:
    """A generated bank: rows in insertion order, counts, and the showcase customers.

    The rows are ORM objects: load them once (build the bank again for another database).
    `opening_balances` gives each account's balance at the start of its history."""

    seed: int
    as_of: datetime
    rows: tuple[Base, ...]
    counts: DemoCounts
    showcase: tuple[ShowcaseCustomer, ...]
    opening_balances: Mapping[str, Decimal]

    @property
    def showcase_ids(self) -> tuple[str, ...]:
        """The ids of the showcase customers this bank has."""
        return tuple(item.customer_id for item in self.showcase)


@dataclass(frozen=True, slots=True)
class _Holding:
    """One customer and everything they hold."""

    customer: Customer
    accounts: list[DepositAccount]
    cards: list[Card]
    transactions: list[Transaction]
    loans: list[LoanBook]
    openings: dict[str, Decimal]
    showcase: ShowcaseCustomer | None


def customer_ids(customers: int) -> list[str]:
    """The ids of a bank of this size: the showcase customers first, then cust_10001 up."""
    showcase = list(SHOWCASE_IDS[:customers])
    others = (f"cust_{n}" for n in count(10001) if f"cust_{n}" not in SHOWCASE_IDS)
    return showcase + list(islice(others, customers - len(showcase)))


def demo_bank(*, customers: int, seed: int, as_of: datetime) -> DemoBank:
    """Build a demo bank of `customers` customers as it stands at `as_of` (no database)."""
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"a demo bank has 1 to {MAX_CUSTOMERS:,} customers, not {customers}")
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    moment = as_of.astimezone(UTC)
    fakers: dict[str, Faker] = {}
    holdings = [
        _holding(customer_id, seed=seed, as_of=moment, fakers=fakers)
        for customer_id in customer_ids(customers)
    ]
    loans = [book for holding in holdings for book in holding.loans]
    rows: list[Base] = [
        *(holding.customer for holding in holdings),
        *chain.from_iterable(holding.accounts for holding in holdings),
        *chain.from_iterable(holding.cards for holding in holdings),
        *chain.from_iterable(holding.transactions for holding in holdings),
        *(book.loan for book in loans),
        *chain.from_iterable(book.installments for book in loans),
        *chain.from_iterable(book.payments for book in loans),
    ]
    return DemoBank(
        seed=seed,
        as_of=moment,
        rows=tuple(rows),
        counts=_counts(holdings, loans),
        showcase=tuple(holding.showcase for holding in holdings if holding.showcase),
        opening_balances={
            account_id: opening
            for holding in holdings
            for account_id, opening in holding.openings.items()
        },
    )


async def load_demo_data(uow: UnitOfWork, *, bank: DemoBank) -> None:
    """Store a demo bank in an empty database and record it in the audit trail; the caller
    commits. Refused (DemoDataExists) when any customer exists."""
    existing = await uow.customers.count()
    if existing:
        raise DemoDataExists(existing)
    await uow.customers.add_all(bank.rows)
    await uow.audit.record(
        "demo_data.loaded",
        entity_type="demo_data",
        entity_id=f"seed-{bank.seed}",
        after={
            "seed": bank.seed,
            "as_of": bank.as_of.isoformat(),
            "counts": bank.counts.as_dict(),
            "showcase": list(bank.showcase_ids),
        },
    )


def _holding(customer_id: str, *, seed: int, as_of: datetime, fakers: dict[str, Faker]) -> _Holding:
    number = int(customer_id.removeprefix("cust_"))
    rng = random.Random(f"bankdesk-demo:{seed}:{customer_id}")
    scenario = SCENARIOS.get(customer_id)
    home = scenario.home if scenario else _home(rng)
    if home.locale not in fakers:
        fakers[home.locale] = Faker(home.locale)
    faker = fakers[home.locale]
    faker.seed_instance(f"{seed}:{customer_id}")
    customer = make_customer(customer_id=customer_id, home=home, faker=faker, rng=rng, as_of=as_of)
    wallet, cards = _wallet(customer, number=number, home=home, rng=rng, as_of=as_of)
    owns_home = scenario is None and rng.random() < 0.15
    profile = make_profile(home=home, faker=faker, rng=rng, owns_home=owns_home)
    if scenario is not None:  # a showcase customer's history holds only their situation
        profile = replace(profile, travels=False)
    plans = list(scenario.loans) if scenario else plan_loans(profile=profile, rng=rng)
    books = [
        book_loan(
            loan_id=f"loan_{number}_{index}", plan=plan, wallet=wallet, profile=profile, rng=rng
        )
        for index, plan in enumerate(plans, start=1)
    ]
    drafts = activity(wallet=wallet, profile=profile, rng=rng)
    drafts += [movement for book in books for movement in book.movements]
    extra = scenario_drafts(scenario, wallet=wallet, number=number, rng=rng) if scenario else []
    accounts = [wallet.checking, *wallet.savings]
    suggested = [money(float(profile.pay) * rng.uniform(0.2, 1.2)), *wallet.savings_openings]
    transactions, openings = _settle_all(accounts, drafts=drafts + extra, suggested=suggested)
    showcase = None
    if scenario is not None:
        showcase = describe(customer_id, scenario=scenario, drafts=extra, books=books)
    return _Holding(customer, accounts, cards, transactions, books, openings, showcase)


def _home(rng: random.Random) -> Home:
    return rng.choice(US_HOMES) if rng.random() < 0.9 else rng.choice(FOREIGN_HOMES)


def _wallet(
    customer: Customer, *, number: int, home: Home, rng: random.Random, as_of: datetime
) -> tuple[Wallet, list[Card]]:
    start = as_of - timedelta(days=rng.randint(60, 120))
    before = start - timedelta(days=5)
    accounts = make_accounts(customer=customer, number=number, home=home, rng=rng, before=before)
    cards = make_cards(checking=accounts[0], number=number, rng=rng, before=before)
    active = [card for card in cards if card.status == "active"]
    wallet = Wallet(
        home=home,
        checking=accounts[0],
        savings=tuple(accounts[1:]),
        card=active[0],
        online_card=active[-1],
        savings_openings=tuple(
            money(rng.uniform(300, 40_000) * home.chains.per_dollar) for _ in accounts[1:]
        ),
        start=start,
        as_of=as_of,
    )
    return wallet, cards


def _settle_all(
    accounts: list[DepositAccount], *, drafts: list[Draft], suggested: list[Decimal]
) -> tuple[list[Transaction], dict[str, Decimal]]:
    transactions: list[Transaction] = []
    openings: dict[str, Decimal] = {}
    for account, opening in zip(accounts, suggested, strict=True):
        own = [draft for draft in drafts if draft.account_id == account.id]
        settled, openings[account.id] = settle(
            account=account, drafts=own, opening=opening, floor=Decimal("25.00")
        )
        transactions += settled
    return transactions, openings


def _counts(holdings: list[_Holding], loans: list[LoanBook]) -> DemoCounts:
    return DemoCounts(
        customers=len(holdings),
        accounts=sum(len(holding.accounts) for holding in holdings),
        cards=sum(len(holding.cards) for holding in holdings),
        transactions=sum(len(holding.transactions) for holding in holdings),
        loans=len(loans),
        installments=sum(len(book.installments) for book in loans),
        payments=sum(len(book.payments) for book in loans),
    )
