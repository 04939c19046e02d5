"""Find the transactions a customer's message is about, with the evidence for each.

Every candidate gets points for each thing the message says that fits it (time, amount,
merchant, country, channel, a double charge) and loses some for what contradicts it. When
the customer says they do not recognise a payment, what is unusual for them counts too, so
the odd one out of last night ranks above the morning coffee. A match is only declared
when one candidate stands clearly above the others and rests on something the customer
said; otherwise the result is ambiguous and the agent asks which one they mean.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from difflib import SequenceMatcher
from enum import StrEnum
from statistics import median
from typing import Any

from bankdesk.banking.clues import Clues, country_name, read_clues
from bankdesk.banking.formatting import format_date, format_money
from bankdesk.domain.money import to_cents
from bankdesk.store.banking_models import Transaction

MIN_SCORE = 30  # a candidate needs at least this many points to be offered at all
CLEAR_LEAD = 15  # the best must lead the next by this much to be taken without asking
TIME_SLACK = timedelta(hours=12)  # the customer's clock is not UTC; allow half a day
RECENT = timedelta(days=14)  # with no time given, only this recent a payment is "unusual"
POINTS = {"time": 30, "time_near": 10, "time_wrong": -10, "amount": 40, "amount_near": 20,
          "amount_wrong": -20, "merchant": 40, "country": 30, "country_wrong": -20,
          "abroad": 20, "abroad_wrong": -10, "channel": 10, "channel_wrong": -10, "card": 5,
          "duplicate": 40, "unusual": 8, "unusual_cap": 30}  # fmt: skip
CONCRETE = frozenset({"time", "amount", "merchant", "country", "abroad", "duplicate"})
SIMILAR = 0.8  # difflib ratio from which two words are taken as the same name
MERCHANT_NOISE = frozenset({"com", "www", "inc", "llc", "ltd", "the", "and", "store", "shop",
                            "market", "online", "payment", "pay", "services", "intl"})  # fmt: skip
CARD_CHANNELS = frozenset({"card_present", "online", "contactless", "atm"})
# What is usual for a customer is read from what they did before the payment in question,
# leaving out the day just before it, so a burst of fraud does not vouch for itself.
BASELINE_GAP = timedelta(hours=24)
MIN_BASELINE = 10
VELOCITY_WINDOW = timedelta(hours=1)
VELOCITY_COUNT = 3
DUPLICATE_WINDOW = timedelta(days=3)


class MatchStatus(StrEnum):
    """Whether the message singles out one transaction."""

    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A transaction the message may be about, its points and why it got them."""

    transaction: Transaction
    score: int
    reasons: tuple[str, ...]
    signals: tuple[str, ...]
    concrete: bool

    def evidence(self) -> dict[str, Any]:
        """The candidate as analyses and audit events record it (JSON, no floats)."""
        return {"transaction_id": self.transaction.id, "score": self.score,
                "reasons": list(self.reasons), "signals": list(self.signals)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The ranked candidates (best first) and whether one of them is clearly the one."""

    status: MatchStatus
    candidates: tuple[Candidate, ...]
    clues: Clues

    @property
    def best(self) -> Candidate | None:
        """The matched candidate; None unless the status is matched."""
        return self.candidates[0] if self.status is MatchStatus.MATCHED else None


def match_transactions(
    message: str, transactions: Sequence[Transaction], *, now: datetime, home_country: str
) -> MatchResult:
    """Rank the customer's payments by how well the message describes each."""
    clues = read_clues(message, now=now)
    scorer = _Scorer(clues, transactions, now=now, home_country=home_country)
    scored = [scorer.score(item) for item in transactions if item.amount < 0]
    ranked = sorted(
        (candidate for candidate in scored if candidate.score >= MIN_SCORE),
        key=lambda candidate: (-candidate.score, -candidate.transaction.occurred_at.timestamp()),
    )
    return MatchResult(_status(ranked), tuple(ranked), clues)


def _status(ranked: list[Candidate]) -> MatchStatus:
    if not ranked:
        return MatchStatus.NO_MATCH
    best = ranked[0]
    if not best.concrete:  # only "it looks odd": the customer must confirm which one
        return MatchStatus.AMBIGUOUS
    if len(ranked) == 1 or best.score - ranked[1].score >= CLEAR_LEAD:
        return MatchStatus.MATCHED
    return MatchStatus.AMBIGUOUS


class _Scorer:
    """Scores transactions against one message's clues."""

    def __init__(
        self, clues: Clues, history: Sequence[Transaction], *, now: datetime, home_country: str
    ) -> None:
        self.clues = clues
        self.history = history
        self.now = now
        self.home = home_country
        self._merchants: dict[str, tuple[float, str]] = {}

    def score(self, item: Transaction) -> Candidate:
        found = [
            *self._time(item),
            *self._amount(item),
            *self._merchant(item),
            *self._place(item),
            *self._channel(item),
            *self._duplicate(item),
        ]
        signals: tuple[str, ...] = ()
        if self.clues.unfamiliar and self._in_focus(item):
            signals = unusual_signals(item, self.history, home_country=self.home)
            if signals:
                points = min(POINTS["unusual"] * len(signals), POINTS["unusual_cap"])
                found.append(("unusual", points, "unusual for the customer: " + ", ".join(signals)))
        return Candidate(
            transaction=item,
            score=sum(points for _kind, points, _why in found),
            reasons=tuple(why for _kind, points, why in found if points > 0),
            signals=signals,
            concrete=any(kind in CONCRETE and points > 0 for kind, points, _why in found),
        )

    def _in_focus(self, item: Transaction) -> bool:
        """Inside the time the customer gave, or recent when they gave none."""
        if self.clues.windows:
            return any(
                window.gap(item.occurred_at) == timedelta(0) for window in self.clues.windows
            )
        return self.now - item.occurred_at <= RECENT

    def _time(self, item: Transaction) -> list[tuple[str, int, str]]:
        if not self.clues.windows:
            return []
        window = min(self.clues.windows, key=lambda window: window.gap(item.occurred_at))
        gap = window.gap(item.occurred_at)
        if gap == timedelta(0):
            return [("time", POINTS["time"], f"time: {window.label}")]
        if gap <= TIME_SLACK:
            return [("time", POINTS["time_near"], f"time: close to {window.label}")]
        return [("time_wrong", POINTS["time_wrong"], "")]

    def _amount(self, item: Transaction) -> list[tuple[str, int, str]]:
        if not self.clues.amounts:
            return []
        spent = abs(item.amount)
        best = ("amount_wrong", POINTS["amount_wrong"], "")
        for money in self.clues.amounts:
            same_currency = money.currency in (None, item.currency)
            if money.amount == spent:
                points = POINTS["amount"] if same_currency else POINTS["amount_near"]
            elif abs(money.amount - spent) <= max(Decimal("1.00"), spent * Decimal("0.02")):
                points = POINTS["amount_near"] if same_currency else POINTS["amount_near"] // 2
            else:
                continue
            if points > best[1]:
                best = ("amount", points, f"amount: {money.text}")
        return [best]

    def _merchant(self, item: Transaction) -> list[tuple[str, int, str]]:
        if item.merchant not in self._merchants:
            self._merchants[item.merchant] = merchant_similarity(self.clues.words, item.merchant)
        similarity, word = self._merchants[item.merchant]
        if similarity == 0:
            return []
        return [("merchant", round(POINTS["merchant"] * similarity), f"merchant: {word}")]

    def _place(self, item: Transaction) -> list[tuple[str, int, str]]:
        found = []
        if self.clues.countries:
            if item.country in self.clues.countries:
                found.append(("country", POINTS["country"], f"country: {item.country}"))
            else:
                found.append(("country_wrong", POINTS["country_wrong"], ""))
        if self.clues.abroad:
            if item.country != self.home:
                found.append(("abroad", POINTS["abroad"], f"abroad: {item.country}"))
            else:
                found.append(("abroad_wrong", POINTS["abroad_wrong"], ""))
        return found

    def _channel(self, item: Transaction) -> list[tuple[str, int, str]]:
        found = []
        if self.clues.channels:
            if item.channel in self.clues.channels:
                found.append(("channel", POINTS["channel"], f"channel: {item.channel}"))
            else:
                found.append(("channel_wrong", POINTS["channel_wrong"], ""))
        if self.clues.card_payment and item.card_id is not None:
            found.append(("card", POINTS["card"], "card payment"))
        return found

    def _duplicate(self, item: Transaction) -> list[tuple[str, int, str]]:
        if not self.clues.duplicate:
            return []
        twin = earlier_twin(item, self.history)
        if twin is None:
            return []
        return [("duplicate", POINTS["duplicate"], f"duplicate of {twin.id}")]


def earlier_twin(item: Transaction, history: Sequence[Transaction]) -> Transaction | None:
    """An earlier payment to the same merchant for the same amount within a few days: the
    one this payment would duplicate (the later of a pair is the one to dispute)."""
    key = merchant_key(item.merchant)
    for other in history:
        if (
            other.id != item.id
            and other.amount == item.amount
            and other.status not in ("reversed", "declined")
            and timedelta(0) <= item.occurred_at - other.occurred_at <= DUPLICATE_WINDOW
            and (other.occurred_at, other.id) < (item.occurred_at, item.id)
            and merchant_key(other.merchant) == key
        ):
            return other
    return None


def merchant_key(name: str) -> str:
    """A merchant's name without store numbers, punctuation or case: "shell oil"."""
    return " ".join(re.findall(r"[a-z]+", name.lower().replace(".com", "")))


def merchant_similarity(words: frozenset[str], merchant: str) -> tuple[float, str]:
    """How much of a merchant's name the message's words cover (0..1), and the word that
    matched; "electro mart" covers most of "ELECTRO-MART KYIV".

    The first word of a name counts double: it is the brand, where later words are often a
    place or a kind of shop ("KYIV", "Grocery")."""
    names = _merchant_words(merchant)
    if not names or not words:
        return 0.0, ""
    weights = [len(name) * (2 if index == 0 else 1) for index, (name, _parts) in enumerate(names)]
    covered, matched = 0.0, ""
    for (name, parts), weight in zip(names, weights, strict=True):
        similarity, word = _best_word(name, parts, words)
        if similarity >= SIMILAR:
            covered += weight * similarity
            matched = matched or word
    return covered / sum(weights), matched


def _merchant_words(merchant: str) -> list[tuple[str, tuple[str, ...]]]:
    """The words of a merchant's name run together ("electromart"), each with its parts."""
    found = []
    for token in re.sub(r"\.(com|net|org)\b", "", merchant.lower()).split():
        parts = tuple(part for part in re.findall(r"[a-z0-9]+", token) if not part.isdigit())
        name = "".join(parts)
        if len(name) >= 3 and name not in MERCHANT_NOISE:
            found.append((name, tuple(part for part in parts if len(part) >= 4)))
    return found


def _best_word(name: str, parts: tuple[str, ...], words: frozenset[str]) -> tuple[float, str]:
    best, best_word = 0.0, ""
    for word in words:
        if word == name:
            similarity = 1.0
        elif word in parts:  # "electro" names "electro-mart" less surely than in full
            similarity = 0.9
        elif 2 * min(len(word), len(name)) < SIMILAR * (len(word) + len(name)):
            continue  # too different in length to reach the threshold
        else:
            similarity = SequenceMatcher(None, word, name).ratio()
        if similarity > best:
            best, best_word = similarity, word
    return best, best_word


def unusual_signals(
    item: Transaction, history: Sequence[Transaction], *, home_country: str
) -> tuple[str, ...]:
    """Why a payment stands out against what the customer did before it: new_country,
    new_merchant, unusual_amount, unusual_hour, card_not_present, velocity."""
    cutoff = item.occurred_at - BASELINE_GAP
    baseline = [
        other
        for other in history
        if other.occurred_at < cutoff and other.amount < 0 and other.status != "declined"
    ]
    signals = []
    if item.country != home_country and item.country not in {other.country for other in baseline}:
        signals.append("new_country")
    if merchant_key(item.merchant) not in {merchant_key(other.merchant) for other in baseline}:
        signals.append("new_merchant")
    if len(baseline) >= MIN_BASELINE:
        if _far_above_usual(abs(item.amount), [abs(other.amount) for other in baseline]):
            signals.append("unusual_amount")
        if _unusual_hour(item.occurred_at, [other.occurred_at for other in baseline]):
            signals.append("unusual_hour")
    if item.channel == "online":
        signals.append("card_not_present")
    if _burst(item, history) >= VELOCITY_COUNT:
        signals.append("velocity")
    return tuple(signals)


def _far_above_usual(amount: Decimal, usual: list[Decimal]) -> bool:
    """Above three times the median and above the 95th percentile of past spending."""
    ordered = sorted(usual)
    p95 = ordered[min(len(ordered) - 1, (len(ordered) * 95) // 100)]
    return amount > 3 * median(ordered) and amount > p95


def _unusual_hour(moment: datetime, usual: list[datetime]) -> bool:
    """No past payment within two hours of the time of day (UTC) of this one."""
    hours = {past.hour for past in usual}
    return not any(min((moment.hour - hour) % 24, (hour - moment.hour) % 24) <= 2 for hour in hours)


def _burst(item: Transaction, history: Sequence[Transaction]) -> int:
    """How many payments, this one included, fall within an hour of it."""
    return sum(
        1
        for other in history
        if other.amount < 0 and abs(other.occurred_at - item.occurred_at) <= VELOCITY_WINDOW
    )


def summary(item: Transaction, *, card_last4: str | None = None) -> dict[str, str]:
    """A transaction as an analysis or a case records it: no card or account number."""
    found = {
        "id": item.id,
        "merchant": item.merchant,
        "amount": str(to_cents(item.amount)),
        "currency": item.currency,
        "date": item.occurred_at.date().isoformat(),
        "time": item.occurred_at.strftime("%H:%M UTC"),
        "country": item.country,
        "channel": item.channel,
        "status": item.status,
    }
    if card_last4 is not None:
        found["card"] = f"card ending {card_last4}"
    return found


def describe(item: Transaction) -> str:
    """A transaction as a customer reads it: "ELECTRO-MART KYIV, $389.99 on November 21,
    2026 (online, Ukraine)"."""
    labels = {"card_present": "in store", "direct_debit": "direct debit", "atm": "cash machine"}
    how = labels.get(item.channel, item.channel.replace("_", " "))
    where = country_name(item.country)
    money = format_money(abs(item.amount), item.currency)
    return f"{item.merchant}, {money} on {format_date(item.occurred_at)} ({how}, {where})"
