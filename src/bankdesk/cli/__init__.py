"""The `bankdesk` command line."""
