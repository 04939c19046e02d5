"""Retail banking: triage, specialist agents, orchestration and safe replies."""
