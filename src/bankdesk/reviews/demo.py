"""Work for the review queue on a demo bank: loan requests and customer messages sent
through the real lending flow and the real agents at first start (`make run`), so the
console opens on tasks that can be worked end to end.

Nothing here decides anything itself: each request is stored, read, checked and decided by
the policy as if a borrower had sent it, and whatever the policy does not approve (or an
agent hands to a person) opens a review task the usual way.
"""

from dataclasses import dataclass

from bankdesk.banking.schemas import MessageRequest
from bankdesk.bootstrap import Bankdesk
from bankdesk.lending.service import intake
from bankdesk.store.models import utcnow
from bankdesk.store.unit_of_work import UnitOfWork

ACTOR = "demo"


@dataclass(frozen=True, slots=True)
class DemoRequest:
    """A demo customer's loan request, as they would write it."""

    applicant_id: str
    text: str


# What the seed policy makes of them, in order: a decline; a decline of 120,000, whose
# approval would need four eyes; a review; and too little said to decide (incomplete).
APPLICATIONS = (
    DemoRequest(
        "cust_12345",
        "Hi, I earn $5,400 a month and pay $2,900 a month on my car "
        "loan and credit cards. I'd like to borrow $18,000 to consolidate my debts.",
    ),
    DemoRequest(
        "cust_10002",
        "I make $9,500 a month, pay $4,900 a month in debts "
        "(mortgage and car), and need $120,000 for a home extension.",
    ),
    DemoRequest(
        "cust_10003",
        "Hello, monthly income $6,000, monthly debts $2,400. Looking for $25,000 for a new roof.",
    ),
    DemoRequest("cust_10004", "I need $12,000 for a used car as soon as possible."),
)


async def demo_review_work(app: Bankdesk, *, messages: dict[str, str]) -> int:
    """Send the demo loan requests and the showcase customers' messages through the real
    flows; how many review tasks they opened."""
    for request in APPLICATIONS:
        async with UnitOfWork(app.database.sessions, actor=ACTOR) as uow:
            customer = await uow.customers.get(request.applicant_id)
            if customer is None:  # a demo bank too small for the showcase customers
                continue
            await intake(
                uow, app.lending, app.reader, text=request.text,
                applicant_id=customer.id, known_borrower=customer.full_name,
            )  # fmt: skip
            await uow.commit()
    for customer_id, message in messages.items():
        await app.banking.handle(
            MessageRequest(customer_id=customer_id, message=message), channel="demo", actor=ACTOR
        )
    async with UnitOfWork(app.database.sessions) as uow:
        counts = await uow.reviews.counts(now=utcnow())
    return sum(counts.values())
