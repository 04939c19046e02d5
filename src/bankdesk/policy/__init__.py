"""Versioned decision policies: GoRules JDM graphs evaluated by zen-engine."""
