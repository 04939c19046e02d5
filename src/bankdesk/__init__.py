"""bankdesk: auditable AI agents for lending and retail banking."""

__version__ = "0.1.0"
