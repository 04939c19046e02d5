"""How the benchmarks state a result against the baseline measured in the same run."""


def describe_ratio(ratio: float) -> str:
    """'1x' for the baseline itself, else e.g. '0.0123x baseline (81.3x slower)'."""
    if ratio == 1.0:
        return "1x"
    if ratio < 1:
        return f"{ratio:.3g}x baseline ({1 / ratio:,.1f}x slower)"
    return f"{ratio:.3g}x baseline ({ratio:,.1f}x faster)"
