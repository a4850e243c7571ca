"""Prøvehandlinger numbered per user (1, 2, 3 …): the number the user sees instead of the id.

Additive: a nullable column, filled for the existing rows (per user in the order they were
saved), a unique index on (user_key, user_number) – several NULLs are allowed, so code of the
previous release that does not set the number keeps working during the upgrade (the new code
numbers such rows when it next reads them) – and the table `trial_action_numbers` with the
last number given per user, so a deleted number is never given again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

trial_actions = sa.table(
    "trial_actions",
    sa.column("id", sa.Integer()),
    sa.column("user_key", sa.String(64)),
    sa.column("user_number", sa.Integer()),
    sa.column("created_at", sa.DateTime()),
)


trial_action_numbers = sa.table(
    "trial_action_numbers",
    sa.column("user_key", sa.String(64)),
    sa.column("last_number", sa.Integer()),
    sa.column("updated_at", sa.DateTime()),
)


def _backfill() -> None:
    """Number every user's rows 1, 2, 3 … in the order they were saved (created_at, then id), and
    note each user's last number."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(trial_actions.c.id, trial_actions.c.user_key, trial_actions.c.created_at)
        .order_by(trial_actions.c.user_key, trial_actions.c.created_at, trial_actions.c.id)
    ).all()
    numbers, last_number, last_saved = [], {}, {}
    for row_id, user_key, created_at in rows:
        last_number[user_key] = last_number.get(user_key, 0) + 1
        last_saved[user_key] = created_at
        numbers.append({"row_id": row_id, "number": last_number[user_key]})
    if numbers:
        connection.execute(
            trial_actions.update().where(trial_actions.c.id == sa.bindparam("row_id"))
            .values(user_number=sa.bindparam("number")),
            numbers,
        )
        op.bulk_insert(trial_action_numbers, [  # updated_at: the user's last save, as a new save sets it
            {"user_key": user_key, "last_number": number, "updated_at": last_saved[user_key]}
            for user_key, number in last_number.items()])


def upgrade() -> None:
    op.add_column("trial_actions", sa.Column("user_number", sa.Integer(), nullable=True))
    op.create_table(
        "trial_action_numbers",
        sa.Column("user_key", sa.String(64), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_trial_action_numbers_updated_at", "trial_action_numbers", ["updated_at"])
    _backfill()
    op.create_index("uq_trial_actions_user_number", "trial_actions", ["user_key", "user_number"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_trial_action_numbers_updated_at", table_name="trial_action_numbers")
    op.drop_table("trial_action_numbers")
    op.drop_index("uq_trial_actions_user_number", table_name="trial_actions")
    op.drop_column("trial_actions", "user_number")  # SQLite ≥ 3.35 drops a column in place
