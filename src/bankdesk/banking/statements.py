"""What a customer says happened to their card: lost, stolen or compromised.

Only a report counts. Words asked about or supposed ("what should I do if my card is
stolen?"), denied ("I haven't lost my card") or taken back ("I thought I lost my wallet but
I found it") report nothing, so nothing is blocked on them.
"""

import re

from bankdesk.banking.clues import negated

CARD_DATA = r"(card (details|number|info|information|data)|cvv|pin)"
STATEMENTS = (
    ("stolen", re.compile(r"\b(stolen|stole|theft|robbed|mugged|pick-?pocketed)\b")),
    ("compromised", re.compile(
        r"\b(skimm(ed|er|ing)|cloned)\b|"
        r"\b(someone|somebody)\b[\w\s']{0,30}\b(has|have|got|used|using|knows?)\b[\w\s']{0,15}"
        rf"\b(my )?(card|{CARD_DATA})\b|"
        rf"\b(phish(ed|ing)?|scam(med)?|hacked|compromised|leaked|gave|shared|entered)\b"
        rf"[\w\s',]{{0,40}}\b{CARD_DATA}|\b{CARD_DATA}\b[\w\s']{{0,30}}"
        r"\b(phish(ed|ing)?|scam(med)?|hacked|compromised|leaked|stolen)\b"
    )),
    ("lost", re.compile(
        r"\b(lost|misplaced|can'?t find|cannot find|dropped)\b[\w\s']{0,20}\b(card|wallet|purse)\b|"
        r"\b(card|wallet|purse)\b[\w\s']{0,15}\b(is|was|went|has gone|got)\s+(lost|missing)\b"
    )),
)  # fmt: skip
SENTENCE_BREAK = re.compile(r"[.!?;\n]")
# Words asked about or supposed report nothing ("what if my card is stolen?", "how do I
# report a lost card?"); "if you can, block it" is a request, not a supposition.
HYPOTHETICAL = re.compile(
    r"\b(if|in case|whether|suppos(e|ing)|hypothetical(ly)?)\b"
    r"(?! (possible|you can|you could|needed|necessary))|"
    r"\bhow (to|(do|can|should|would) (i|we|you|one)) (report|block|freeze|lock|cancel) (a|an)\b|"
    r"\bwhat (should|do|can|would) (i|we|you) do (if|when|in case)\b"
)
RESOLVED = re.compile(
    r"\b(found (it|them|(my|the) (\w+ )?(card|wallet|purse))|turned up|"
    r"(got|have) (it|them) back|false alarm|never ?mind)\b"
)
# Words that may stand between a negator and what it denies ("haven't actually lost").
STATEMENT_FILLER = frozenset(
    """i im ive a an the my it is was am are be been being have has had ever even really
    actually yet card cards debit credit wallet purse details think believe guess""".split()
)


def card_statement(message: str) -> str | None:
    """What the customer says happened to their card: stolen, compromised, lost, or None
    when they only ask about it, deny it or say the card turned up."""
    text = _plain(message)
    for kind, cue in STATEMENTS:
        if any(not _set_aside(text, match) for match in cue.finditer(text)):
            return kind
    return None


def mentions_card_trouble(message: str) -> bool:
    """Whether the message speaks of a lost, stolen or compromised card at all."""
    text = _plain(message)
    return any(cue.search(text) for _kind, cue in STATEMENTS)


def _plain(message: str) -> str:
    return " ".join(message.lower().replace("\u2019", "'").split())


def _set_aside(text: str, match: re.Match[str]) -> bool:
    """Whether words that sound like a report are not one: asked about ("what if my card is
    stolen?"), denied ("I haven't lost my card") or taken back ("... but I found it")."""
    sentence = SENTENCE_BREAK.split(text[: match.start()])[-1]
    # A denial may come before the cue or inside it ("card details have not been phished").
    last_word = text.rfind(" ", match.start(), match.end()) + 1 or match.start()
    return bool(
        HYPOTHETICAL.search(sentence)
        or any(negated(text, at, filler=STATEMENT_FILLER) for at in (match.start(), last_word))
        or RESOLVED.search(text, match.end())
    )
