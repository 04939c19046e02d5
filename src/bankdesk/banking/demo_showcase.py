"""The demo bank's showcase customers: the situations the product's demo and tests rely on.

- `cust_12345` (Austin): a routine of US card payments and one foreign online card payment
  late last night (the day before as_of, about 23:40 UTC) at a merchant they never used, in
  a country they never paid in, a few hundred dollars, posted; and a personal loan whose next
  installment falls due within a few days.
- `cust_10002` (Chicago): their card used five times within an hour in Brazil yesterday
  afternoon (UTC), and a sixth attempt declined; they have never paid abroad before.
- `cust_10003` (Denver): charged twice by the same Best Buy store for the same amount, a
  few minutes apart, three days before as_of; both posted.
- `cust_10004` (Atlanta): an auto loan whose latest installment (due about ten days before
  as_of) is unpaid, so the installment and the loan are "late".
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bankdesk.banking.demo_ledger import Draft, Wallet
from bankdesk.banking.demo_loans import LoanBook, LoanPlan
from bankdesk.banking.demo_world import US_HOMES, Home, money, spend, store_name

DAY = timedelta(days=1)
# Online shops in countries no demo customer lives in or travels to.
UNFAMILIAR_SHOPS = (
    ("ELECTRO-MART KYIV", "UA"),
    ("GADGETZONE BUCURESTI", "RO"),
    ("LUXTECH STORE SOFIA", "BG"),
)
SAO_PAULO_SHOPS = (
    ("Magazine Luiza Paulista", "shopping"),
    ("Drogasil 0231", "shopping"),
    ("Posto Ipiranga Consolacao", "fuel"),
    ("Casas Bahia Centro", "electronics"),
    ("Lojas Americanas Se", "shopping"),
    ("Fast Shop Morumbi", "electronics"),
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A showcase customer's situation: where they live, their loans, what they write in."""

    name: str
    city: str
    message: str
    loans: tuple[LoanPlan, ...] = ()

    @property
    def home(self) -> Home:
        """The showcase customer's home city."""
        return next(home for home in US_HOMES if home.city == self.city)


@dataclass(frozen=True, slots=True)
class ShowcaseCustomer:
    """A showcase customer: what is in their data, and what they would write to the bank."""

    customer_id: str
    scenario: str
    story: str
    message: str
    transaction_ids: tuple[str, ...] = ()
    loan_id: str | None = None


SCENARIOS: dict[str, Scenario] = {
    "cust_12345": Scenario(
        "unfamiliar_payment",
        "Austin",
        "I saw an unfamiliar card payment from last night and I want to dispute it.",
        (LoanPlan("personal", due_in_days=5),),
    ),
    "cust_10002": Scenario(
        "card_velocity_abroad",
        "Chicago",
        "My card was used several times abroad yesterday but I haven't left the country. "
        "Please block it.",
    ),
    "cust_10003": Scenario(
        "duplicate_charge",
        "Denver",
        "I was charged twice for the same purchase at Best Buy. Can you refund the duplicate?",
    ),
    "cust_10004": Scenario(
        "late_installment",
        "Atlanta",
        "I missed my car loan payment this month. What happens now and how can I catch up?",
        (LoanPlan("auto", late=True, overdue_days=10),),
    ),
}


def scenario_drafts(
    scenario: Scenario, *, wallet: Wallet, number: int, rng: random.Random
) -> list[Draft]:
    """The transactions that make a showcase customer's situation."""
    if scenario.name == "unfamiliar_payment":
        return [_unfamiliar_payment(wallet, number=number, rng=rng)]
    if scenario.name == "card_velocity_abroad":
        return _velocity(wallet, number=number, rng=rng)
    if scenario.name == "duplicate_charge":
        return _duplicate(wallet, number=number, rng=rng)
    return []


def describe(
    customer_id: str, *, scenario: Scenario, drafts: list[Draft], books: list[LoanBook]
) -> ShowcaseCustomer:
    """One line on what a showcase customer's data holds, with the ids it names."""
    named = [draft for draft in drafts if draft.id is not None]
    loan = books[0] if books else None
    story = STORIES[scenario.name](named, loan)
    return ShowcaseCustomer(
        customer_id=customer_id,
        scenario=scenario.name,
        story=story,
        message=scenario.message,
        transaction_ids=tuple(draft.id for draft in named if draft.id),
        loan_id=loan.loan.id if loan else None,
    )


def _unfamiliar_payment(wallet: Wallet, *, number: int, rng: random.Random) -> Draft:
    merchant, country = rng.choice(UNFAMILIAR_SHOPS)
    last_night = datetime.combine(wallet.as_of.date() - DAY, time(23, 40), UTC)
    moment = last_night + timedelta(minutes=rng.randint(0, 5), seconds=rng.randrange(60))
    return Draft(
        account_id=wallet.checking.id,
        occurred_at=moment,
        merchant=merchant,
        category="electronics",
        amount=-money(rng.uniform(240, 480)),
        channel="online",
        country=country,
        card_id=wallet.card.id,
        id=f"tx_{number}_unfamiliar",
    )


def _velocity(wallet: Wallet, *, number: int, rng: random.Random) -> list[Draft]:
    moment = datetime.combine(wallet.as_of.date() - DAY, time(14, 5), UTC)
    moment += timedelta(minutes=rng.randint(0, 20))
    drafts = []
    for index, (merchant, category) in enumerate(rng.sample(SAO_PAULO_SHOPS, 6), start=1):
        drafts.append(
            Draft(
                account_id=wallet.checking.id,
                occurred_at=moment,
                merchant=merchant,
                category=category,
                amount=-spend(rng, median=180, spread=0.5),
                channel=rng.choice(("card_present", "contactless")),
                country="BR",
                card_id=wallet.card.id,
                status="declined" if index == 6 else "posted",  # the card's limit stopped it
                id=f"tx_{number}_velocity_{index}",
            )
        )
        moment += timedelta(minutes=rng.randint(6, 10), seconds=rng.randrange(60))
    return drafts


def _duplicate(wallet: Wallet, *, number: int, rng: random.Random) -> list[Draft]:
    merchant = store_name(rng, "Best Buy")
    first = wallet.at(wallet.as_of.date() - 3 * DAY, rng.uniform(17.0, 19.5))
    second = first + timedelta(minutes=rng.randint(2, 4), seconds=rng.randrange(60))
    amount = -money(rng.uniform(120, 400))
    return [
        Draft(
            account_id=wallet.checking.id,
            occurred_at=moment,
            merchant=merchant,
            category="electronics",
            amount=amount,
            channel="card_present",
            country=wallet.home.country,
            card_id=wallet.card.id,
            id=f"tx_{number}_duplicate_{index}",
        )
        for index, moment in enumerate((first, second), start=1)
    ]


def _unfamiliar_story(named: list[Draft], loan: LoanBook | None) -> str:
    payment = named[0]
    story = (
        f"one foreign online card payment late last night: {payment.merchant} "
        f"({payment.country}), ${-payment.amount} at {payment.occurred_at:%H:%M} UTC"
    )
    due = next((item for item in loan.installments if item.status == "due"), None) if loan else None
    if due is not None:
        story += f"; personal loan, next installment ${due.amount} due {_day(due.due_on)}"
    return story


def _velocity_story(named: list[Draft], _loan: LoanBook | None) -> str:
    first, last = named[0].occurred_at, named[-1].occurred_at
    return (
        f"card used {len(named) - 1} times in {named[0].country} yesterday between "
        f"{first:%H:%M} and {last:%H:%M} UTC, then declined once; never abroad before"
    )


def _duplicate_story(named: list[Draft], _loan: LoanBook | None) -> str:
    first, second = named
    gap = int((second.occurred_at - first.occurred_at).total_seconds() // 60)
    return (
        f"charged twice by {first.merchant}: ${-first.amount} each, {gap} minutes apart "
        f"on {_day(first.occurred_at.date())}"
    )


def _loan_story(_named: list[Draft], loan: LoanBook | None) -> str:
    if loan is None:
        return "no loan"
    late = next(item for item in loan.installments if item.status == "late")
    return (
        f"{loan.loan.kind} loan is late: installment {late.number} of ${late.amount} "
        f"was due {_day(late.due_on)} and is unpaid"
    )


def _day(value: date) -> str:
    return value.isoformat()


STORIES: dict[str, Callable[[list[Draft], LoanBook | None], str]] = {
    "unfamiliar_payment": _unfamiliar_story,
    "card_velocity_abroad": _velocity_story,
    "duplicate_charge": _duplicate_story,
    "late_installment": _loan_story,
}
