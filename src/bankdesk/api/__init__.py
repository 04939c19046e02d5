"""The HTTP API: FastAPI routers over the lending services (thin: parse, call, map errors)."""
