"""Lending: extraction, guardrails, the decision flow and next actions."""
