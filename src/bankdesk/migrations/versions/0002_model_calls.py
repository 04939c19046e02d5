"""Model calls: every request to a model, with prompt version, raw output, tokens and cost.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
# Model calls are evidence: append-only like the audit chain, enforced by the database.
POSTGRES_APPEND_ONLY = (
    """
    CREATE FUNCTION bankdesk_model_calls_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'model_calls is append-only: % refused', TG_OP;
    END
    $$
    """,
    "CREATE TRIGGER model_calls_append_only BEFORE UPDATE OR DELETE ON model_calls "
    "FOR EACH ROW EXECUTE FUNCTION bankdesk_model_calls_append_only()",
    "CREATE TRIGGER model_calls_no_truncate BEFORE TRUNCATE ON model_calls "
    "FOR EACH STATEMENT EXECUTE FUNCTION bankdesk_model_calls_append_only()",
)
SQLITE_APPEND_ONLY = tuple(
    f"CREATE TRIGGER model_calls_no_{operation.lower()} BEFORE {operation} ON model_calls "
    f"BEGIN SELECT RAISE(ABORT, 'model_calls is append-only: {operation} refused'); END"
    for operation in ("UPDATE", "DELETE")
)


def upgrade() -> None:
    op.create_table(
        "model_calls",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("application_id", sa.String(length=32), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("agent", sa.String(length=60), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_id", sa.String(length=100), nullable=False),
        sa.Column("prompt_version", sa.String(length=80), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("request", JSON, nullable=False),
        sa.Column("raw_response", sa.Text(), nullable=True),
        sa.Column("parsed", JSON, nullable=True),
        sa.Column("errors", JSON, nullable=False),
        sa.Column("grounding_failures", JSON, nullable=False),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Numeric(18, 8).with_variant(sa.String(20), "sqlite"), nullable=True),
        sa.Column("fallback_used", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["loan_applications.id"],
            name=op.f("fk_model_calls_application_id_loan_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_calls")),
    )
    with op.batch_alter_table("model_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_model_calls_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_model_calls_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_model_calls_created_at"), ["created_at"], unique=False)

    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_APPEND_ONLY if postgres else SQLITE_APPEND_ONLY:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS model_calls_no_truncate ON model_calls")
        op.execute("DROP TRIGGER IF EXISTS model_calls_append_only ON model_calls")
        op.execute("DROP FUNCTION IF EXISTS bankdesk_model_calls_append_only()")
    op.drop_table("model_calls")
