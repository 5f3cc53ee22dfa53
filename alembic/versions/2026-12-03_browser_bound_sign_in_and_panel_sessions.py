"""browser-bound sign-in, SSO idle time, panel sessions and attempt counters

Revision ID: c5a9e2d7b4f1
Revises: 7c2d4e6f8a90
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "c5a9e2d7b4f1"
down_revision: str | None = "7c2d4e6f8a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_admin_session")),
    )
    op.create_table(
        "attempt_counter",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_started_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_attempt_counter")),
    )
    # Sign-ins in progress (ten minutes at most) belong to no browser yet: they are dropped, not guessed at.
    op.execute("DELETE FROM login_transaction")
    with op.batch_alter_table("login_transaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_binding", sa.String(length=64), nullable=False))
        batch_op.drop_column("otp_attempts")
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", app.models.base.UTCDateTime(), nullable=True))
    op.execute("UPDATE login_session SET last_used_at = auth_time")
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.alter_column("last_used_at", existing_type=app.models.base.UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
    op.execute("DELETE FROM login_transaction")
    with op.batch_alter_table("login_transaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("otp_attempts", sa.Integer(), nullable=False))
        batch_op.drop_column("browser_binding")
    op.drop_table("attempt_counter")
    op.drop_table("admin_session")
