"""Trial actions (prøvehandlinger) and guided reflections.

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trial_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_key", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(100), nullable=True),
        sa.Column("situation", sa.Text(), nullable=True),
        sa.Column("hand", sa.String(5), nullable=False),
        sa.Column("action_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("followup_asked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("hand IN ('big', 'small', 'both')", name="ck_trial_actions_hand"),
        sa.CheckConstraint("status IN ('planned', 'tried', 'evaluated')", name="ck_trial_actions_status"),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('helped', 'partly', 'not_helped')", name="ck_trial_actions_outcome"
        ),
    )
    op.create_index("ix_trial_actions_user_key", "trial_actions", ["user_key"])
    op.create_index("ix_trial_actions_created_at", "trial_actions", ["created_at"])
    op.create_index("ix_trial_actions_due_at", "trial_actions", ["due_at"])

    op.create_table(
        "reflections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_key", sa.String(64), nullable=False),
        sa.Column("situation", sa.Text(), nullable=True),
        sa.Column("adult_perspective", sa.Text(), nullable=True),
        sa.Column("child_perspective", sa.Text(), nullable=True),
        sa.Column("hand", sa.String(5), nullable=True),
        sa.Column(
            "trial_action_id",
            sa.Integer(),
            sa.ForeignKey("trial_actions.id", ondelete="SET NULL", name="fk_reflections_trial_action"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("hand IS NULL OR hand IN ('big', 'small', 'both')", name="ck_reflections_hand"),
    )
    op.create_index("ix_reflections_user_key", "reflections", ["user_key"])
    op.create_index("ix_reflections_created_at", "reflections", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_reflections_created_at", table_name="reflections")
    op.drop_index("ix_reflections_user_key", table_name="reflections")
    op.drop_table("reflections")
    op.drop_index("ix_trial_actions_due_at", table_name="trial_actions")
    op.drop_index("ix_trial_actions_created_at", table_name="trial_actions")
    op.drop_index("ix_trial_actions_user_key", table_name="trial_actions")
    op.drop_table("trial_actions")
