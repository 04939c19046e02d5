"""Estimated cost of a model call from the price table in settings."""

import re
from collections.abc import Mapping
from decimal import Decimal

from bankdesk.settings import ModelPrice

MILLION = Decimal(1_000_000)
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")  # "gpt-4.1-mini-2025-04-14" is gpt-4.1-mini
COST_PLACES = Decimal("0.00000001")


def estimate_cost(
    prices: Mapping[str, ModelPrice], model: str, *, tokens_in: int, tokens_out: int
) -> Decimal | None:
    """US dollars for the tokens used, or None when the model is not in the price table.

    A dated snapshot ("gpt-4.1-mini-2025-04-14") is priced as its model when only the model
    is listed.
    """
    price = prices.get(model) or prices.get(_SNAPSHOT.sub("", model))
    if price is None:
        return None
    cost = (
        Decimal(tokens_in) * price.input_per_million
        + Decimal(tokens_out) * price.output_per_million
    ) / MILLION
    return cost.quantize(COST_PLACES)
