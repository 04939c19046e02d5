"""Human review: the underwriters' queue (review_tasks) and their decisions (append-only).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 19:05:09.191705
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
# Exact decimals: NUMERIC on PostgreSQL, the decimal text on SQLite (see store.types).
MONEY = sa.Numeric(20, 4).with_variant(sa.String(22), "sqlite")
WHEN = sa.DateTime(timezone=True)
# A person's decision is evidence beside the policy's: the database refuses to change it.
POSTGRES_APPEND_ONLY = (
    "CREATE TRIGGER review_decisions_append_only BEFORE UPDATE OR DELETE ON review_decisions "
    "FOR EACH ROW EXECUTE FUNCTION bankdesk_banking_append_only()",
    "CREATE TRIGGER review_decisions_no_truncate BEFORE TRUNCATE ON review_decisions "
    "FOR EACH STATEMENT EXECUTE FUNCTION bankdesk_banking_append_only()",
)
SQLITE_APPEND_ONLY = tuple(
    f"CREATE TRIGGER review_decisions_no_{operation.lower()} BEFORE {operation} "
    f"ON review_decisions BEGIN SELECT RAISE(ABORT, "
    f"'review_decisions is append-only: {operation} refused'); END"
    for operation in ("UPDATE", "DELETE")
)


def upgrade() -> None:
    op.create_table(
        "review_tasks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("application_id", sa.String(length=32), nullable=True),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claim_expires_at", WHEN, nullable=True),
        sa.Column("first_reviewer", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["loan_applications.id"],
            name=op.f("fk_review_tasks_application_id_loan_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_review_tasks_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_tasks")),
    )
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_tasks_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_tasks_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_review_tasks_queue", ["status", "priority", "due_at"], unique=False
        )

    op.create_table(
        "review_decisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.String(length=32), nullable=False),
        sa.Column("reviewer", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("reason_codes", JSON, nullable=False),
        sa.Column("policy_outcome", sa.String(length=16), nullable=True),
        sa.Column("overrides_policy", sa.Boolean(), nullable=False),
        sa.Column("decided_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["review_tasks.id"], name=op.f("fk_review_decisions_task_id_review_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
    )
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_decisions_task_id"), ["task_id"], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_APPEND_ONLY if postgres else SQLITE_APPEND_ONLY:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS review_decisions_no_truncate ON review_decisions")
        op.execute("DROP TRIGGER IF EXISTS review_decisions_append_only ON review_decisions")
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_decisions_task_id"))
    op.drop_table("review_decisions")
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_review_tasks_queue")
        batch_op.drop_index(batch_op.f("ix_review_tasks_case_id"))
        batch_op.drop_index(batch_op.f("ix_review_tasks_application_id"))
    op.drop_table("review_tasks")
