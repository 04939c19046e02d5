"""The account-summary agent: balances, pending items and masked numbers, per account."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bankdesk.banking.context import (
    AgentContext,
    identify,
)
from bankdesk.banking.formatting import format_date, format_money
from bankdesk.banking.redaction import mask_account
from bankdesk.banking.schemas import AgentRequest, AgentResult, Analysis, Urgency
from bankdesk.domain.money import to_cents
from bankdesk.store.banking_models import DepositAccount, Transaction

AGENT = "account-summary-agent"
ISSUE_TYPE = "balance_inquiry"
# Available money below this (in the account's own currency) is worth a word to the customer.
LOW_BALANCE = Decimal("100.00")
# Card authorisations clear within days; a month back finds every pending item still open.
PENDING_LOOKBACK = timedelta(days=30)
PENDING_SHOWN = 5
KIND_CUES: dict[str, re.Pattern[str]] = {
    "savings": re.compile(r"\bsavings?\b", re.IGNORECASE),
    "checking": re.compile(r"\b(?:checking|chequing|current account)\b", re.IGNORECASE),
}


@dataclass(frozen=True, slots=True)
class AccountView:
    """One account with the pending items that explain its available balance."""

    account: DepositAccount
    pending: tuple[Transaction, ...]

    @property
    def masked(self) -> str:
        """The account number as it may be shown."""
        return mask_account(self.account.number)

    @property
    def pending_total(self) -> Decimal:
        """The sum of the pending amounts (negative when money is leaving)."""
        return sum((item.amount for item in self.pending), Decimal(0))

    @property
    def overdrawn(self) -> bool:
        """Whether the account is below zero on either balance."""
        return self.account.balance < 0 or self.account.available_balance < 0

    @property
    def low(self) -> bool:
        """Whether the money available is low but not below zero."""
        return not self.overdrawn and self.account.available_balance < LOW_BALANCE

    def summary(self) -> dict[str, Any]:
        """The account as the analysis reports it (amounts as strings)."""
        account = self.account
        return {
            "kind": account.kind,
            "number": self.masked,
            "currency": account.currency,
            "status": account.status,
            "balance": str(to_cents(account.balance)),
            "available": str(to_cents(account.available_balance)),
            "pending_count": len(self.pending),
            "pending_total": str(to_cents(self.pending_total)),
        }


async def account_summary_agent(request: AgentRequest, *, context: AgentContext) -> AgentResult:
    """Answer a balance inquiry from the customer's accounts and their pending items."""
    customer = await identify(request, context, agent=AGENT, issue_type=ISSUE_TYPE)
    if isinstance(customer, AgentResult):
        return customer
    accounts = await context.uow.customers.accounts(customer.id)
    views = await _views(context, customer.id, accounts)
    if not views:
        return AgentResult(
            agent=AGENT,
            analysis=Analysis(issue_type=ISSUE_TYPE, urgency=Urgency.LOW, flags=["no_accounts"]),
            answer="We could not find an open checking or savings account in your name. If you "
            "think this is wrong, please contact us and we will look into it.",
        )
    asked = asked_kinds(request.payload.message)
    shown = [view for view in views if view.account.kind in asked] or views
    missing = sorted(asked - {view.account.kind for view in views})
    return AgentResult(
        agent=AGENT,
        analysis=_analysis(shown, asked),
        answer=_answer(shown, now=context.now, missing=missing),
        notes=[f"{len(shown)} of {len(views)} open accounts shown"],
    )


def asked_kinds(message: str) -> set[str]:
    """The account kinds a message names ("savings", "checking"); empty means all."""
    return {kind for kind, cue in KIND_CUES.items() if cue.search(message)}


async def _views(
    context: AgentContext, customer_id: str, accounts: list[DepositAccount]
) -> list[AccountView]:
    recent = await context.uow.customers.transactions(
        customer_id, since=context.now - PENDING_LOOKBACK
    )
    pending: dict[str, list[Transaction]] = defaultdict(list)
    for item in recent:
        if item.status == "pending":
            pending[item.account_id].append(item)
    return [
        AccountView(account, tuple(pending[account.id]))
        for account in accounts
        if account.status != "closed"
    ]


def _analysis(shown: list[AccountView], asked: set[str]) -> Analysis:
    flags = []
    if any(view.pending for view in shown):
        flags.append("pending_items")
    if any(view.low for view in shown):
        flags.append("low_balance")
    if any(view.overdrawn for view in shown):
        flags.append("overdrawn")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for view in shown:
        totals[view.account.currency] += view.pending_total
    return Analysis(
        issue_type=ISSUE_TYPE,
        urgency=Urgency.NORMAL if {"low_balance", "overdrawn"} & set(flags) else Urgency.LOW,
        flags=flags,
        focus=sorted(asked),
        accounts=[view.summary() for view in shown],
        pending_count=sum(len(view.pending) for view in shown),
        pending_total={currency: str(to_cents(total)) for currency, total in totals.items()},
    )


def _answer(shown: list[AccountView], *, now: datetime, missing: list[str]) -> str:
    lines = []
    if missing:
        lines.append(f"We could not find a {' or '.join(missing)} account in your name.")
    lines.append(f"Here are your balances as of {format_date(now)}, {now:%H:%M} UTC:")
    lines += [f"- {_line(view)}" for view in shown]
    if any(view.pending for view in shown):
        lines.append(
            "Your available balance is what you can spend right now: it already takes off "
            "card payments that are still pending. The balance shows them once they post."
        )
    for view in shown:
        label = f"{view.account.kind} account {view.masked}"
        currency = view.account.currency
        if view.overdrawn:
            lines.append(
                f"Your {label} is overdrawn; please pay money in soon or ask us about "
                "overdraft options."
            )
        elif view.low:
            lines.append(
                f"Your {label} has less than {format_money(LOW_BALANCE, currency)} available."
            )
    return "\n".join(lines)


def _line(view: AccountView) -> str:
    account = view.account
    money = account.currency
    head = (
        f"{account.kind.capitalize()} {view.masked}: balance "
        f"{format_money(account.balance, money)}, available "
        f"{format_money(account.available_balance, money)}."
    )
    if not view.pending:
        return f"{head} No pending items."
    count = len(view.pending)
    items = ", ".join(
        f"{item.merchant} {format_money(item.amount, item.currency)}"
        for item in view.pending[:PENDING_SHOWN]
    )
    more = f" and {count - PENDING_SHOWN} more" if count > PENDING_SHOWN else ""
    noun = "item" if count == 1 else "items"
    total = format_money(view.pending_total, money)
    return f"{head} {count} pending {noun} totalling {total}: {items}{more}."
