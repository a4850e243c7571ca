"""Telegram chats waiting for a follow-up (encrypted chat id per pseudonymous user).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_chats",
        sa.Column("user_key", sa.String(64), primary_key=True),
        sa.Column("chat_token", sa.Text(), nullable=False),
        sa.Column("language", sa.String(2), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_telegram_chats_updated_at", "telegram_chats", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_telegram_chats_updated_at", table_name="telegram_chats")
    op.drop_table("telegram_chats")
