"""The leader's side (issue 13): the dagtilbud a pedagogue picked, the mail outbox, used sign-in
links, and the dagtilbud a reflection and its prøvehandling were sent to.

Additive: new tables and two nullable columns (the previous release keeps working).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "institution_choices",
        sa.Column("user_key", sa.String(64), primary_key=True),
        sa.Column("institution_id", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_institution_choices_updated_at", "institution_choices", ["updated_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_key", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("institution_id", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'sending', 'sent')", name="ck_outbox_status"),
        sa.CheckConstraint("kind IN ('referat', 'signin')", name="ck_outbox_kind"),
    )
    op.create_index("ix_outbox_user_key", "outbox", ["user_key"])
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "leader_signins",
        sa.Column("link_id", sa.String(64), primary_key=True),
        sa.Column("used_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_leader_signins_used_at", "leader_signins", ["used_at"])
    with op.batch_alter_table("trial_actions") as batch:
        batch.add_column(sa.Column("institution_id", sa.String(64), nullable=True))
        batch.create_index("ix_trial_actions_institution_id", ["institution_id"])
    with op.batch_alter_table("reflections") as batch:
        batch.add_column(sa.Column("institution_id", sa.String(64), nullable=True))
        batch.create_index("ix_reflections_institution_id", ["institution_id"])


def downgrade() -> None:
    with op.batch_alter_table("reflections") as batch:
        batch.drop_index("ix_reflections_institution_id")
        batch.drop_column("institution_id")
    with op.batch_alter_table("trial_actions") as batch:
        batch.drop_index("ix_trial_actions_institution_id")
        batch.drop_column("institution_id")
    op.drop_index("ix_leader_signins_used_at", table_name="leader_signins")
    op.drop_table("leader_signins")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    op.drop_index("ix_outbox_user_key", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_institution_choices_updated_at", table_name="institution_choices")
    op.drop_table("institution_choices")
