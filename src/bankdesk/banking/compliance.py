"""The compliance-review agent: complaints, legal threats, vulnerability and regulatory terms.

Detection is deterministic cue matching, so every flag names the words that raised it. A cue
is ignored when a negation governs it ("this is not a complaint", "I'm not going to sue"):
a negator counts only when the words between it and the cue are filler, so "not happy with
this terrible service" still flags. A complaint (or a legal threat, which is one) opens a
complaint case under the contact case; what the customer reads never names the flags.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from bankdesk.banking.casework import escalate_case, open_case
from bankdesk.banking.clues import negated
from bankdesk.banking.context import AgentContext, identify
from bankdesk.banking.formatting import format_date
from bankdesk.banking.schemas import Action, AgentRequest, AgentResult, Analysis, Urgency
from bankdesk.store.banking_models import Case, Customer
from bankdesk.store.models import new_id

AGENT = "compliance-review-agent"
ISSUE_TYPE = "compliance_review"
# The promise made to a complaining customer; a bank sets its own (to move into settings).
RESPONSE_BUSINESS_DAYS = 15
FINISHED = frozenset({"resolved", "closed"})


class Category(StrEnum):
    """What a cue is evidence of."""

    COMPLAINT = "complaint"
    LEGAL_THREAT = "legal_threat"
    VULNERABILITY = "vulnerability"
    REGULATORY = "regulatory"


RELATIVE = (
    r"(?:husband|wife|partner|spouse|mother|father|mum|mom|dad|son|daughter|brother|sister"
    r"|child|baby|parent|grandmother|grandfather|grandma|grandpa)"
)
ABUSER = r"(?:partner|husband|wife|ex|boyfriend|girlfriend)"
CANT = r"(?:can't|cannot|can not|cant|unable to|couldn't)"
BAD = r"(?:terrible|awful|appalling|shocking|dreadful|horrible|poor|rubbish|disgraceful|pathetic)"
# label: (category, alternatives); a message matches an alternative as whole words.
CUES: dict[str, tuple[Category, str]] = {
    "complaint": (
        Category.COMPLAINT,
        r"complain(?:t|ts|ing|ed)?(?!\s+(?:procedure|process|policy|policies)\b)"
        rf"|unacceptable|not acceptable|{BAD} (?:customer )?(?:service|experience)"
        rf"|service (?:is|was|has been) {BAD}|worst bank|disgusted|outrage(?:d|ous)"
        r"|fed up|sick and tired|rip(?:ped)?[- ]off|dissatisfied|not (?:at all )?happy with"
        r"|unhappy with|furious|speak to (?:a|your|the) (?:manager|supervisor)",
    ),
    "legal_threat": (
        Category.LEGAL_THREAT,
        r"lawyers?|(?<!power of )attorneys?|solicitors?|legal (?:action|proceedings)"
        r"|law ?suit|class action|small claims|see you in court"
        r"|(?:take|taking) (?:you|this|the bank|it|them) to court"
        r"|(?:going to|gonna|will|i'll|intend to|plan to|planning to|about to|threaten to) sue"
        r"|sue (?:you|your|the bank|them|this bank)|suing|sued",
    ),
    "regulatory": (
        Category.REGULATORY,
        r"cfpb|consumer financial protection bureau|ombudsman|fca|financial conduct authority"
        r"|regulat(?:or|ors|ory body)|reg(?:ulation)?\.? ?[ez]|truth in lending|tila|udaa?p"
        r"|unfair(?:,| or) deceptive|fair lending|equal credit opportunity|ecoa|discriminat\w*"
        r"|redlining|gdpr|(?:data )?subject access request|dsar|harass(?:ment|ing|ed)?"
        r"|fdcpa|fair debt collection"
        r"|(?:report|complain)\w* (?:you |this |it )?to (?:the )?(?:fdic|occ|attorney general)",
    ),
    "crisis": (
        Category.VULNERABILITY,
        r"suicidal|kill myself|end my life|want to die|self[- ]harm\w*",
    ),
    "bereavement": (
        Category.VULNERABILITY,
        rf"passed away|{RELATIVE} (?:has |had |just |recently )*(?:died|passed(?: away)?)"
        rf"|bereave(?:d|ment)|funeral|widow(?:ed|er)?|lost my {RELATIVE}|my late {RELATIVE}"
        r"|death (?:of|in the family)",
    ),
    "illness": (
        Category.VULNERABILITY,
        r"cancer|chemo(?:therapy)?|terminal(?:ly)? ill(?:ness)?|serious(?:ly)? ill(?:ness)?"
        r"|in (?:the )?hospital|hospitali[sz]ed|diagnosed with|dementia|alzheimer'?s"
        r"|had a stroke|heart attack|chronic illness",
    ),
    "disability": (
        Category.VULNERABILITY,
        r"(?:i am|i'm|im|am|is|are) (?:registered |severely |physically )?disabled"
        r"|disabilit(?:y|ies)|wheelchair|blind|visually impaired|partially sighted|deaf"
        r"|hard of hearing|learning difficult(?:y|ies)|autis(?:m|tic)|dyslexi(?:a|c)"
        r"|screen reader",
    ),
    "mental_health": (
        Category.VULNERABILITY,
        r"depress(?:ion|ed)|anxiety|panic attacks?|mental (?:health|illness)|bipolar"
        rf"|schizophreni\w*|ptsd|(?:nervous )?breakdown|{CANT} cope",
    ),
    "financial_hardship": (
        Category.VULNERABILITY,
        rf"(?:financial )?hardship|{CANT} afford|{CANT} pay (?:my |the )?(?:rent|bills)"
        r"|no money (?:for|left)|lost my job|out of work|unemployed|made redundant|laid off"
        r"|behind on (?:my |the )?(?:rent|bills|payments)"
        r"|struggling (?:financially|to pay|to make ends meet|with (?:money|debt|bills))"
        rf"|food bank|evict(?:ed|ion)|bankrupt(?:cy)?|{CANT} make ends meet",
    ),
    "elderly_or_carer": (
        Category.VULNERABILITY,
        r"elderly|pensioner|senior citizen|(?:7[5-9]|[89]\d|1[01]\d)[- ]years?[- ]old"
        r"|carer|caregiver|care home|nursing home|power of attorney"
        rf"|(?:look(?:ing)? after|caring for) my (?:elderly )?{RELATIVE}s?",
    ),
    "domestic_abuse": (
        Category.VULNERABILITY,
        rf"domestic (?:abuse|violence)|abusive (?:{ABUSER}|relationship)"
        rf"|(?:financial|economic) abuse|coercive control|controlling (?:{ABUSER}|relationship)"
        rf"|(?:afraid|scared) of my {ABUSER}|restraining order"
        rf"|my {ABUSER} (?:controls|takes|took) (?:all )?(?:my|our) money",
    ),
    "scam_or_coercion": (
        Category.VULNERABILITY,
        r"scam(?:med|mer|mers|s)?|safe account|forced me to|coerced|someone is making me"
        r"|(?:told|asked|instructed) me to (?:move|transfer|send|withdraw) (?:all )?(?:my )?"
        r"(?:money|savings|funds)|pressured (?:me )?(?:in)?to|buy gift cards"
        r"|pretending to be (?:from )?(?:the bank|you|the police|the irs)",
    ),
}
PATTERNS = {
    label: re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)
    for label, (_category, alternatives) in CUES.items()
}
# Words that may stand between a negator and the cue it negates ("no intention of taking").
FILLER = frozenset(
    """a an the to be being been going gonna want wanting wish intend intending intention
    plan planning any of take taking make making file filing raise raising need needed for
    this that it is its i im am have has had really yet at all call calling contact
    contacting involve involving get getting threaten threatening formal real official my
    your you with about here there right now currently actually even some kind sort""".split()
)


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue found in a message: what it is evidence of, the words, whether negated."""

    category: Category
    label: str
    phrase: str
    negated: bool


@dataclass(frozen=True, slots=True)
class Signals:
    """Every cue found in a message, and what follows from those that are not negated."""

    cues: tuple[Cue, ...]

    @property
    def found(self) -> tuple[Cue, ...]:
        """The cues that count (not negated)."""
        return tuple(cue for cue in self.cues if not cue.negated)

    @property
    def categories(self) -> list[Category]:
        """The categories raised, in the order of the cue table."""
        raised = {cue.category for cue in self.found}
        return [category for category in Category if category in raised]

    @property
    def labels(self) -> list[str]:
        """The labels raised (a category, or a kind of vulnerability), in table order."""
        raised = {cue.label for cue in self.found}
        return [label for label in CUES if label in raised]

    @property
    def flags(self) -> list[str]:
        """The categories raised, then the kinds of vulnerability."""
        categories = [category.value for category in self.categories]
        return categories + [label for label in self.labels if label not in categories]

    @property
    def evidence(self) -> dict[str, list[str]]:
        """The phrases that raised each label."""
        return {
            label: list(dict.fromkeys(cue.phrase for cue in self.found if cue.label == label))
            for label in self.labels
        }

    @property
    def ignored(self) -> list[str]:
        """The phrases that matched a cue but were negated."""
        return list(dict.fromkeys(cue.phrase for cue in self.cues if cue.negated))

    @property
    def complaint_made(self) -> bool:
        """Whether the customer complained: a legal threat is a complaint too."""
        return bool({Category.COMPLAINT, Category.LEGAL_THREAT} & set(self.categories))

    @property
    def escalate(self) -> bool:
        """Whether a person must take over: anything but a plain complaint."""
        return bool(set(self.categories) - {Category.COMPLAINT})

    @property
    def urgency(self) -> Urgency:
        """How soon a person must look."""
        if {"crisis", "domestic_abuse"} & set(self.labels):
            return Urgency.CRITICAL
        if self.escalate:
            return Urgency.HIGH
        return Urgency.NORMAL if self.categories else Urgency.LOW


def detect_signals(message: str) -> Signals:
    """Find every cue in a message, marking those a negation governs."""
    text = message.replace("\u2019", "'")
    cues = [
        Cue(
            category,
            label,
            " ".join(match.group(0).lower().split()),
            negated(text, match.start(), filler=FILLER),
        )
        for label, (category, _alternatives) in CUES.items()
        for match in PATTERNS[label].finditer(text)
    ]
    return Signals(tuple(cues))


def add_business_days(start: date, days: int) -> date:
    """The day `days` business days (Monday to Friday) after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


async def compliance_review_agent(request: AgentRequest, *, context: AgentContext) -> AgentResult:
    """Review a message for complaints, legal threats, vulnerability and regulatory terms."""
    signals = detect_signals(request.payload.message)
    notes = [f"{label}: {', '.join(phrases)}" for label, phrases in signals.evidence.items()]
    if signals.ignored:
        notes.append(f"negated, not flagged: {', '.join(signals.ignored)}")
    analysis: dict[str, Any] = {
        "categories": [category.value for category in signals.categories],
        "evidence": signals.evidence,
        "ignored": signals.ignored,
    }
    actions = []
    complaint: Case | None = None
    due = add_business_days(context.now.date(), RESPONSE_BUSINESS_DAYS)
    if signals.complaint_made:
        complaint, opened = await _complaint_case(request, context, signals, due=due)
        # A complaint made again keeps the promise given the first time.
        due = date.fromisoformat(complaint.details.get("response_due_on", due.isoformat()))
        actions.append(
            Action(
                kind="case_opened" if opened else "case_noted",
                detail="complaint case" if opened else "complaint added to the open case",
                reference=complaint.id,
            )
        )
        analysis |= {"complaint_case_id": complaint.id, "response_due_on": due.isoformat()}
    if signals.escalate:
        reasons = [category.value for category in signals.categories]
        actions.append(Action(kind="escalated", detail="compliance review: " + ", ".join(reasons)))
    return AgentResult(
        agent=AGENT,
        analysis=Analysis(
            issue_type=ISSUE_TYPE, urgency=signals.urgency, flags=signals.flags, **analysis
        ),
        actions=actions,
        answer=_answer(signals, complaint, due=due),
        notes=notes or ["no compliance signals"],
        escalation_required=signals.escalate,
    )


async def _complaint_case(
    request: AgentRequest, context: AgentContext, signals: Signals, *, due: date
) -> tuple[Case, bool]:
    """The customer's open complaint case, added to (False), or a new one opened (True)."""
    evidence = {
        "categories": [category.value for category in signals.categories],
        "evidence": signals.evidence,
    }
    customer_id = await _customer_id(request, context)
    complaint = await _open_complaint(context, customer_id)
    if complaint is not None:
        await context.uow.cases.note(
            complaint.id, "complaint_repeated", contact_case_id=context.case_id, **evidence
        )
        await context.uow.cases.note(
            context.case_id, "complaint_noted", complaint_case_id=complaint.id
        )
        opened = False
    else:
        case_id = new_id()
        details = {"reference": reference_for(case_id), **evidence,
                   "response_due_on": due.isoformat()}  # fmt: skip
        complaint = await open_case(
            context, kind="complaint", customer_id=customer_id, case_id=case_id,
            message=request.payload.message, priority="normal", details=details, audit=details,
        )  # fmt: skip
        await context.uow.cases.note(
            context.case_id, "complaint_opened", complaint_case_id=complaint.id
        )
        opened = True
    if signals.escalate:
        reason = "compliance review: " + ", ".join(signals.labels)
        await escalate_case(context, complaint, reason=reason)
    return complaint, opened


async def _customer_id(request: AgentRequest, context: AgentContext) -> str | None:
    """Who complains: the request's customer, else the contact's; no one is needed."""
    customer = await identify(request, context, agent=AGENT, issue_type=ISSUE_TYPE)
    if isinstance(customer, Customer):
        return customer.id
    contact = await context.uow.cases.get(context.case_id)
    return contact.customer_id if contact is not None else None


async def _open_complaint(context: AgentContext, customer_id: str | None) -> Case | None:
    """The oldest complaint still open: the customer's, or this contact's when no one is
    identified. A second message adds to it rather than opening another with a new date."""
    cases = context.uow.cases
    if customer_id is not None:
        found = await cases.for_customer(customer_id, kind="complaint")
    else:
        found = [case for case in await cases.children(context.case_id) if case.kind == "complaint"]
    still_open = [case for case in found if case.status not in FINISHED]
    return min(still_open, key=lambda case: case.created_at, default=None)


def reference_for(case_id: str) -> str:
    """The short complaint reference a customer quotes."""
    return "CMP-" + case_id[:8].upper()


def _answer(signals: Signals, complaint: Case | None, *, due: date) -> str:
    labels = set(signals.labels)
    parts = []
    if "crisis" in labels:
        parts.append(
            "If you are thinking about harming yourself, please call or text 988 (the Suicide "
            "& Crisis Lifeline) now, or call 911 if you are in immediate danger."
        )
    elif "domestic_abuse" in labels:
        parts.append("If you are in immediate danger, please call 911.")
    if complaint is not None:
        parts.append(
            "I'm sorry we have let you down. I have recorded your complaint (reference "
            f"{reference_for(complaint.id)}), and this message is our acknowledgement of it. Our "
            f"complaints team will investigate and send you a full response by {format_date(due)}"
            f", within {RESPONSE_BUSINESS_DAYS} business days."
        )
    if Category.VULNERABILITY in signals.categories:
        parts.append(
            "Thank you for telling us about your situation; I'm sorry you are going through "
            "this. A member of our specialist support team will contact you to talk about any "
            "extra help we can offer, such as more time or other ways to bank with us."
        )
    elif signals.escalate and complaint is None:
        parts.append(
            "Thank you for your message. I have passed it to a specialist team, who will "
            "review it and contact you."
        )
    return " ".join(parts)
