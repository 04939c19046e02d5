"""The final step: one customer-facing reply from the agents' answers, masked and checked.

Only the answers agents wrote for the customer go in; their notes, flags and scores never
do. The text is redacted (cards, accounts, IBANs, SSNs, routing numbers, e-mail addresses,
phone numbers) and validated against the reply schema before anything leaves.
"""

from bankdesk.banking.redaction import contains_pii, redact
from bankdesk.banking.runs import AgentOutcome
from bankdesk.banking.schemas import SafeReply

PURPOSES: dict[str, str] = {
    "fraud-check-agent": "fraud check",
    "customer-service-agent": "dispute",
    "loan-assistant-agent": "loan",
    "account-summary-agent": "account summary",
    "general-support-agent": "general question",
    "compliance-review-agent": "review",
}
HANDOFF = "A member of our team will review your case and contact you."
FALLBACK = (
    "Thank you for your message. We could not prepare a complete answer automatically, so a "
    "member of our team will review your case and contact you."
)
MAX_CHARS = 4000


def compose(outcomes: list[AgentOutcome], *, unsure: bool = False) -> SafeReply:
    """The reply to the customer, and whether a person must take over (always when triage
    was unsure what the customer wants: the agents may have answered the wrong question)."""
    parts: list[str] = []
    escalate = unsure
    for outcome in outcomes:
        if outcome.result is None:
            purpose = PURPOSES.get(outcome.agent, "requested")
            parts.append(f"We could not complete the {purpose} part of your request just now.")
            escalate = True
            continue
        escalate = escalate or outcome.result.escalation_required
        answer = outcome.result.answer.strip()
        if answer and answer not in parts:
            parts.append(answer)
    if escalate and HANDOFF not in parts:
        parts.append(HANDOFF)
    return safe_reply("\n\n".join(parts) or FALLBACK, escalation_required=escalate)


def safe_reply(text: str, *, escalation_required: bool) -> SafeReply:
    """A reply with every identifier masked; one that still looks unsafe is replaced whole."""
    masked = redact(text).text
    if len(masked) > MAX_CHARS:
        masked = masked[: MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    if contains_pii(masked):  # redaction is idempotent; this guards against a regression
        return SafeReply(message=FALLBACK, escalation_required=True)
    return SafeReply(message=masked, escalation_required=escalation_required)
