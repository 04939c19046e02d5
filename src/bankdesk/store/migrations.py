"""Run the Alembic migrations that ship in the package."""

from alembic import command
from alembic.config import Config


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the packaged migrations and a database URL."""
    config = Config()
    config.set_main_option("script_location", "bankdesk:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database to a revision (the latest by default). Blocking: call off-loop."""
    command.upgrade(alembic_config(url), revision)
