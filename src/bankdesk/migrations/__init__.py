"""Alembic migrations: one linear history, run by `bankdesk db upgrade` and on `serve`."""
