"""Where bankdesk's functions run: executors (local, lambda), Lambda handlers, a local endpoint."""
