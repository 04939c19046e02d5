"""Demo customers and what they hold: accounts, cards, and the habits their spending follows."""

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from faker import Faker
from stdnum import luhn

from bankdesk.banking.demo_world import EMAIL_DOMAINS, Home, money, pick, store_name
from bankdesk.store.banking_models import Card, Customer, DepositAccount


@dataclass(frozen=True, slots=True)
class Habit:
    """A kind of spending a customer repeats: where, how often, how much, at what hours."""

    category: str
    merchants: tuple[str, ...]
    per_week: float
    median: float  # in the account's currency
    spread: float
    channel: str
    hours: tuple[int, int]  # local time, start inclusive, end exclusive

    @property
    def online(self) -> bool:
        """Whether it is paid online (with the customer's online card when they have one)."""
        return self.channel == "online"


@dataclass(frozen=True, slots=True)
class Bill:
    """A monthly payment: a subscription by card, a utility by direct debit, rent by transfer."""

    merchant: str
    category: str
    amount: Decimal
    day: int
    channel: str
    varies: bool = False  # electricity changes month to month; a subscription does not


@dataclass(frozen=True, slots=True)
class Profile:
    """How a customer earns, spends and saves; activity is drawn from it."""

    pay: Decimal  # net pay per month, in the account's currency, paid in two halves
    employer: str
    habits: tuple[Habit, ...]
    bills: tuple[Bill, ...]
    atm_per_month: float
    atm_amounts: tuple[int, ...]
    saves: Decimal  # moved to savings after each month's first payday
    owns_home: bool  # a homeowner pays a mortgage instead of rent
    travels: bool


def make_customer(
    *, customer_id: str, home: Home, faker: Faker, rng: random.Random, as_of: datetime
) -> Customer:
    """A customer with a name, a reserved-domain e-mail and a fictional phone number."""
    first, last = faker.first_name(), faker.last_name()
    handle = f"{_ascii(first)}.{_ascii(last)}"
    if rng.random() < 0.4:
        handle += str(rng.randrange(10, 100))
    digits = "".join(str(rng.randrange(10)) for _ in range(home.phone_digits))
    return Customer(
        id=customer_id,
        full_name=f"{first} {last}",
        email=f"{handle}@{rng.choice(EMAIL_DOMAINS)}",
        phone=f"{home.phone_prefix}{digits}",
        country=home.country,
        city=home.city,
        created_at=as_of - timedelta(days=rng.randint(400, 4000), seconds=rng.randrange(86_400)),
    )


def make_accounts(
    *, customer: Customer, number: int, home: Home, rng: random.Random, before: datetime
) -> list[DepositAccount]:
    """A checking account, often a savings account, sometimes a second savings account."""
    kinds = ["checking"]
    if rng.random() < 0.65:
        kinds.append("savings")
        if rng.random() < 0.2:
            kinds.append("savings")
    span = max(1, int((before - customer.created_at).total_seconds()))
    accounts = []
    for index, kind in enumerate(kinds, start=1):
        opened = customer.created_at + timedelta(seconds=rng.randrange(span) if index > 1 else 0)
        accounts.append(
            DepositAccount(
                id=f"acct_{number}_{index}",
                customer_id=customer.id,
                kind=kind,
                number=_account_number(rng, kind=kind, customer=number, index=index),
                currency=home.currency,
                balance=Decimal("0.00"),
                available_balance=Decimal("0.00"),
                status="open",
                opened_at=opened,
            )
        )
    return accounts


def make_cards(
    *, checking: DepositAccount, number: int, rng: random.Random, before: datetime
) -> list[Card]:
    """A debit card in use, plus sometimes an online card or the expired card it replaced."""
    earliest = checking.opened_at + timedelta(days=1)
    issued = max(
        earliest, before - timedelta(days=rng.randint(5, 1100), seconds=rng.randrange(86_400))
    )
    cards = [_card(checking, f"card_{number}_1", rng=rng, issued=issued, status="active")]
    roll = rng.random()
    if roll < 0.3:
        online_issued = issued + timedelta(seconds=rng.randrange(max(1, _seconds(issued, before))))
        cards.append(
            _card(checking, f"card_{number}_2", rng=rng, issued=online_issued, status="active")
        )
    elif roll < 0.45 and issued - timedelta(days=4 * 365) > earliest:
        old = issued - timedelta(days=4 * 365 + 1)
        cards.append(_card(checking, f"card_{number}_0", rng=rng, issued=old, status="expired"))
    while len({card.last4 for card in cards}) < len(cards):
        cards[-1].last4 = f"{rng.randrange(10_000):04d}"
    return cards


def make_profile(*, home: Home, faker: Faker, rng: random.Random, owns_home: bool) -> Profile:
    """Pay, spending habits and bills drawn for one customer, in their home's currency."""
    scale = home.chains.per_dollar
    pay = min(16_000.0, max(2_300.0, 4_800.0 * rng.lognormvariate(0.0, 0.45)))
    pay_local = Decimal(round(pay * scale, -1)).quantize(Decimal("0.01"))
    # Spending grows with income, but more slowly than income does.
    means = scale * (pay / 4_800.0) ** 0.5
    return Profile(
        pay=pay_local,
        employer=faker.company().split(",")[0].upper() + " PAYROLL",
        habits=_habits(home, rng=rng, means=means),
        bills=_bills(home, faker=faker, rng=rng, pay=pay * scale, owns_home=owns_home),
        atm_per_month=rng.choice((0.0, 0.5, 1.0, 2.0, 3.0)),
        atm_amounts=home.chains.atm_amounts,
        saves=Decimal(max(25, round(pay * scale * rng.uniform(0.03, 0.12) / 25) * 25)).quantize(
            Decimal("0.01")
        ),
        owns_home=owns_home,
        travels=rng.random() < 0.15,
    )


def _habits(home: Home, *, rng: random.Random, means: float) -> tuple[Habit, ...]:
    chains = home.chains
    grocers = tuple(store_name(rng, name) for name in pick(rng, home.grocers, 1, 2))
    stores = tuple(store_name(rng, name) for name in pick(rng, chains.stores, 2, 2))
    habits = [
        Habit("groceries", grocers, rng.uniform(1.0, 2.5), 55 * means, 0.45, "card_present",
              (9, 21)),
        Habit("restaurants", pick(rng, chains.restaurants, 3, 5), rng.uniform(0.5, 3.0),
              32 * means, 0.55, "card_present", (12, 22)),
        Habit("shopping", stores, rng.uniform(0.3, 1.2), 35 * means, 0.7, "card_present",
              (10, 20)),
        Habit("shopping", pick(rng, chains.online, 2, 4), rng.uniform(0.3, 2.0), 38 * means,
              0.8, "online", (0, 24)),
    ]  # fmt: skip
    if rng.random() < (0.8 if home.country in ("US", "CA") else 0.5):
        stations = tuple(store_name(rng, name) for name in home.fuel)
        habits.append(
            Habit("fuel", stations, rng.uniform(0.7, 1.4), 45 * means, 0.25, "card_present",
                  (7, 20))
        )  # fmt: skip
    coffee_per_week = rng.choice((0.0, 1.0, 3.0, 5.0))
    if coffee_per_week:
        cafe = (store_name(rng, rng.choice(chains.coffee)),)
        habits.append(
            Habit("restaurants", cafe, coffee_per_week, 6.5 * means, 0.25, "contactless", (7, 11))
        )
    return tuple(habits)


def _bills(
    home: Home, *, faker: Faker, rng: random.Random, pay: float, owns_home: bool
) -> tuple[Bill, ...]:
    chains = home.chains
    bills = [
        Bill(merchant, "subscriptions", Decimal(price), rng.randint(1, 28), "online")
        for merchant, price in pick(rng, chains.subscriptions, 2, 4)
    ]
    electricity = money(rng.uniform(70, 150) * chains.per_dollar)
    bills.append(
        Bill(home.utility, "utilities", electricity, rng.randint(5, 25), "direct_debit", True)
    )
    carrier, price = rng.choice(chains.phone)
    bills.append(Bill(carrier, "utilities", Decimal(price), rng.randint(5, 25), "direct_debit"))
    if rng.random() < 0.85:
        provider, price = rng.choice(chains.internet)
        bills.append(
            Bill(provider, "utilities", Decimal(price), rng.randint(5, 25), "direct_debit")
        )
    if not owns_home:
        rent = Decimal(round(pay * rng.uniform(0.22, 0.32) / 5) * 5).quantize(Decimal("0.01"))
        landlord = f"{faker.last_name()} Property Management"
        bills.append(Bill(landlord, "rent", rent, 1, "transfer"))
    return tuple(bills)


def _card(
    account: DepositAccount, card_id: str, *, rng: random.Random, issued: datetime, status: str
) -> Card:
    expiry_year = (issued.year + 4) % 100
    return Card(
        id=card_id,
        customer_id=account.customer_id,
        account_id=account.id,
        network="visa" if rng.random() < 0.6 else "mastercard",
        last4=f"{rng.randrange(10_000):04d}",
        expires=f"{issued.month:02d}/{expiry_year:02d}",
        status=status,
        issued_at=issued,
    )


def _account_number(rng: random.Random, *, kind: str, customer: int, index: int) -> str:
    """Twelve digits: kind, branch, the customer's number, the account's index, a Luhn check.

    The customer's number and the index make it unique without a lookup."""
    prefix = "40" if kind == "checking" else "41"
    body = f"{prefix}{rng.randrange(100, 1000)}{customer:05d}{index}"
    return body + luhn.calc_check_digit(body)


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(char for char in plain.lower() if char.isalnum())


def _seconds(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds())
