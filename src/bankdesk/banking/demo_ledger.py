"""A demo customer's account activity: pay, bills, everyday spending, cash, savings, travel.

Everything is drawn from the customer's profile by their own seeded generator, and each
account's balances are then worked out from what was drawn, so they always agree.
"""

import calendar
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from bankdesk.banking.demo_people import Bill, Profile
from bankdesk.banking.demo_world import (
    DESTINATIONS,
    TRAVEL_SPEND,
    Destination,
    Home,
    money,
    spend,
)
from bankdesk.store.banking_models import Card, DepositAccount, Transaction

DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Draft:
    """A transaction before it is numbered and before balances are worked out from it."""

    account_id: str
    occurred_at: datetime
    merchant: str
    category: str
    amount: Decimal
    channel: str
    country: str
    card_id: str | None = None
    status: str = "posted"
    id: str | None = None  # fixed for the transactions a showcase scenario names


@dataclass(frozen=True, slots=True)
class Wallet:
    """What a customer's activity runs on, and the window of time it fills."""

    home: Home
    checking: DepositAccount
    savings: tuple[DepositAccount, ...]
    card: Card
    online_card: Card
    savings_openings: tuple[Decimal, ...]  # each savings account's balance at the start
    start: datetime
    as_of: datetime

    def at(self, day: date, hour: float) -> datetime:
        """The UTC moment of a local hour (fractional) on a day at the customer's home."""
        local = datetime.combine(day, time(0), UTC) + timedelta(seconds=int(hour * 3600))
        return local - timedelta(hours=self.home.utc_offset)

    def days(self) -> list[date]:
        """Every calendar day the window touches, oldest first."""
        first, last = self.start.date(), self.as_of.date()
        return [first + DAY * offset for offset in range((last - first).days + 1)]

    def within(self, moment: datetime) -> bool:
        """Whether a moment falls in the window (on or after its start, before as_of)."""
        return self.start <= moment < self.as_of


def activity(*, wallet: Wallet, profile: Profile, rng: random.Random) -> list[Draft]:
    """Every routine transaction of a customer's window, on all their accounts."""
    travel, away = _trip(wallet, profile=profile, rng=rng)
    drafts = [
        *_paychecks(wallet, profile=profile),
        *_bills(wallet, profile=profile, rng=rng),
        *_spending(wallet, profile=profile, rng=rng, away=away),
        *_cash(wallet, profile=profile, rng=rng, away=away),
        *_savings(wallet, profile=profile, rng=rng),
        *travel,
    ]
    return [draft for draft in drafts if wallet.within(draft.occurred_at)]


def card_status(rng: random.Random, *, moment: datetime, as_of: datetime) -> str:
    """A card payment's status: recent ones still pending, rarely one declined or reversed."""
    age = as_of - moment
    if age < timedelta(hours=24) and rng.random() < 0.75:
        return "pending"
    if age < timedelta(hours=48) and rng.random() < 0.35:
        return "pending"
    roll = rng.random()
    if roll < 0.004:
        return "declined"
    return "reversed" if roll < 0.007 else "posted"


def settle(
    *, account: DepositAccount, drafts: list[Draft], opening: Decimal, floor: Decimal
) -> tuple[list[Transaction], Decimal]:
    """Number an account's transactions in time order and set its balances from them.

    The opening balance (at the window's start) is the one suggested, raised when needed so
    the balance never falls below the floor; it is returned with the transactions."""
    ordered = sorted(drafts, key=lambda draft: draft.occurred_at)
    posted, low = Decimal("0.00"), Decimal("0.00")
    for draft in ordered:
        if draft.status == "posted":
            posted += draft.amount
            low = min(low, posted)
    pending = sum((draft.amount for draft in ordered if draft.status == "pending"), Decimal(0))
    opening = max(opening, floor - low, floor - posted - pending)
    account.balance = opening + posted
    account.available_balance = account.balance + pending
    prefix = account.id.replace("acct_", "tx_", 1)
    transactions = [
        Transaction(
            id=draft.id or f"{prefix}_{number:04d}",
            account_id=account.id,
            card_id=draft.card_id,
            occurred_at=draft.occurred_at,
            merchant=draft.merchant,
            category=draft.category,
            amount=draft.amount,
            currency=account.currency,
            country=draft.country,
            channel=draft.channel,
            status=draft.status,
        )
        for number, draft in enumerate(ordered, start=1)
    ]
    return transactions, opening


def on_day_of_month(wallet: Wallet, day: int) -> list[date]:
    """The dates in the window that fall on a day of the month (the month's last if shorter)."""
    first, last = wallet.start.date(), wallet.as_of.date()
    dates = []
    for index in range(first.year * 12 + first.month - 1, last.year * 12 + last.month):
        year, month = divmod(index, 12)
        length = calendar.monthrange(year, month + 1)[1]
        dates.append(date(year, month + 1, min(day, length)))
    return [item for item in dates if first <= item <= last]


def _paychecks(wallet: Wallet, *, profile: Profile) -> list[Draft]:
    half = (profile.pay / 2).quantize(Decimal("0.01"))
    return [
        _transfer(
            wallet.checking.id,
            wallet,
            at=wallet.at(payday, 6.0),
            merchant=profile.employer,
            category="salary",
            amount=half,
        )
        for payday in sorted({*_paydays(wallet, 15), *_paydays(wallet, 31)})
    ]


def _paydays(wallet: Wallet, day: int) -> list[date]:
    # Payroll that falls on a weekend is paid the Friday before.
    return [item - DAY * max(0, item.weekday() - 4) for item in on_day_of_month(wallet, day)]


def _bills(wallet: Wallet, *, profile: Profile, rng: random.Random) -> list[Draft]:
    drafts = []
    for bill in profile.bills:
        for due in on_day_of_month(wallet, bill.day):
            drafts.append(_bill(wallet, bill=bill, due=due, rng=rng))
    return drafts


def _bill(wallet: Wallet, *, bill: Bill, due: date, rng: random.Random) -> Draft:
    amount = bill.amount
    if bill.varies:
        amount = money(float(amount) * rng.uniform(0.8, 1.25))
    by_card = bill.channel == "online"
    # Card subscriptions renew overnight; debits and transfers run in the morning.
    hour = rng.uniform(1.0, 6.0) if by_card else rng.uniform(7.0, 10.0)
    return Draft(
        account_id=wallet.checking.id,
        occurred_at=wallet.at(due, hour),
        merchant=bill.merchant,
        category=bill.category,
        amount=-amount,
        channel=bill.channel,
        country=wallet.home.country,
        card_id=wallet.online_card.id if by_card else None,
    )


def _spending(
    wallet: Wallet, *, profile: Profile, rng: random.Random, away: set[date]
) -> list[Draft]:
    drafts = []
    for day in wallet.days():
        for habit in profile.habits:
            if (day in away and not habit.online) or rng.random() >= habit.per_week / 7:
                continue
            moment = wallet.at(day, rng.uniform(*habit.hours))
            card = wallet.online_card if habit.online else wallet.card
            amount = spend(rng, median=habit.median, spread=habit.spread)
            status = card_status(rng, moment=moment, as_of=wallet.as_of)
            drafts.append(
                Draft(
                    account_id=wallet.checking.id,
                    occurred_at=moment,
                    merchant=rng.choice(habit.merchants),
                    category=habit.category,
                    amount=-amount,
                    channel=habit.channel,
                    country=wallet.home.country,
                    card_id=card.id,
                    status=status,
                )
            )
            if habit.online and status == "posted" and rng.random() < 0.03:
                drafts.append(_refund(drafts[-1], rng=rng))
    return drafts


def _refund(purchase: Draft, *, rng: random.Random) -> Draft:
    later = purchase.occurred_at + timedelta(
        days=rng.randint(3, 9), seconds=rng.randrange(8 * 3600)
    )
    return Draft(
        account_id=purchase.account_id,
        occurred_at=later,
        merchant=purchase.merchant,
        category=purchase.category,
        amount=-purchase.amount,
        channel=purchase.channel,
        country=purchase.country,
        card_id=purchase.card_id,
    )


def _cash(wallet: Wallet, *, profile: Profile, rng: random.Random, away: set[date]) -> list[Draft]:
    drafts = []
    for day in wallet.days():
        if day in away or rng.random() >= profile.atm_per_month / 30:
            continue
        amount = Decimal(rng.choice(profile.atm_amounts)).quantize(Decimal("0.01"))
        drafts.append(
            Draft(
                account_id=wallet.checking.id,
                occurred_at=wallet.at(day, rng.uniform(8, 21)),
                merchant=f"ATM Bankdesk {wallet.home.city}",
                category="cash",
                amount=-amount,
                channel="atm",
                country=wallet.home.country,
                card_id=wallet.card.id,
            )
        )
    return drafts


def _savings(wallet: Wallet, *, profile: Profile, rng: random.Random) -> list[Draft]:
    drafts = []
    for index, account in enumerate(wallet.savings):
        amount = profile.saves if index == 0 else (profile.saves / 4).quantize(Decimal("0.01"))
        for day in on_day_of_month(wallet, 16 + index):
            moment = wallet.at(day, 9.0 + index)
            to_savings = f"Transfer to savings ..{account.number[-4:]}"
            from_checking = f"Transfer from checking ..{wallet.checking.number[-4:]}"
            drafts += [
                _transfer(
                    wallet.checking.id,
                    wallet,
                    at=moment,
                    merchant=to_savings,
                    category="transfer",
                    amount=-amount,
                ),
                _transfer(
                    account.id,
                    wallet,
                    at=moment,
                    merchant=from_checking,
                    category="transfer",
                    amount=amount,
                ),
            ]
        yearly_rate = rng.choice((0.005, 0.04, 0.0425))
        interest = money(float(wallet.savings_openings[index]) * yearly_rate / 12)
        for day in on_day_of_month(wallet, 31) if interest > 0 else []:
            drafts.append(
                _transfer(
                    account.id,
                    wallet,
                    at=wallet.at(day, 23.5),
                    merchant="Interest paid",
                    category="interest",
                    amount=interest,
                )
            )
    return drafts


def _trip(wallet: Wallet, *, profile: Profile, rng: random.Random) -> tuple[list[Draft], set[date]]:
    """A few days abroad (a flight booked weeks before), away from the customer's usual shops."""
    window = (wallet.as_of.date() - wallet.start.date()).days
    if not profile.travels or window < 30:
        return [], set()
    first = wallet.as_of.date() - DAY * rng.randint(10, window - 10)
    away = {first + DAY * offset for offset in range(rng.randint(3, 7))}
    place = rng.choice([item for item in DESTINATIONS if item.country != wallet.home.country])
    scale = wallet.home.chains.per_dollar
    booked = wallet.at(first - DAY * rng.randint(14, 40), rng.uniform(18, 23))
    airline = rng.choice(wallet.home.chains.airlines)
    fare = spend(rng, median=450, spread=0.35, scale=scale)
    flight = Draft(
        account_id=wallet.checking.id,
        occurred_at=booked,
        merchant=airline,
        category="travel",
        amount=-fare,
        channel="online",
        country=wallet.home.country,
        card_id=wallet.online_card.id,
    )
    return [flight, *_abroad(wallet, place=place, days=sorted(away), rng=rng)], away


def _abroad(
    wallet: Wallet, *, place: Destination, days: list[date], rng: random.Random
) -> list[Draft]:
    drafts = []
    scale = wallet.home.chains.per_dollar
    for day in days:
        for _ in range(rng.randint(2, 4)):
            merchant, category = rng.choice(place.merchants)
            moment = datetime.combine(day, time(0), UTC) + timedelta(
                seconds=rng.randrange(6 * 3600, 23 * 3600)
            )
            amount = spend(rng, median=TRAVEL_SPEND[category], spread=0.5, scale=scale)
            drafts.append(
                Draft(
                    account_id=wallet.checking.id,
                    occurred_at=moment,
                    merchant=merchant,
                    category=category,
                    amount=-amount,
                    channel=rng.choice(("card_present", "contactless")),
                    country=place.country,
                    card_id=wallet.card.id,
                    status=card_status(rng, moment=moment, as_of=wallet.as_of),
                )
            )
    return drafts


def _transfer(
    account_id: str, wallet: Wallet, *, at: datetime, merchant: str, category: str, amount: Decimal
) -> Draft:
    """A posted transfer into or out of one of the customer's accounts, at home."""
    return Draft(
        account_id=account_id,
        occurred_at=at,
        merchant=merchant,
        category=category,
        amount=amount,
        channel="transfer",
        country=wallet.home.country,
    )
