"""identity accounts and openid connect provider

Revision ID: d4efa9270892
Revises: ce240b82f7a0
Create Date: 2026-11-23 14:50:30.216865
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "d4efa9270892"
down_revision: str | None = "ce240b82f7a0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(length=5), nullable=False),
        sa.Column("recipient", sa.String(length=120), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_message")),
    )
    with op.batch_alter_table("inbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_message_personal_id"), ["personal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_message_recipient"), ["recipient"], unique=False)

    op.create_table(
        "revoked_token",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_token")),
    )
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=True),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario")),
    )
    op.create_table(
        "used_assertion",
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("jti", sa.String(length=200), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "jti", name=op.f("pk_used_assertion")),
    )
    op.create_table(
        "login_transaction",
        sa.Column("id", sa.String(length=43), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=True),
        sa.Column("session_sid", sa.String(length=32), nullable=True),
        sa.Column("otp_hash", sa.String(length=200), nullable=True),
        sa.Column("otp_attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.client_id"], name=op.f("fk_login_transaction_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_transaction")),
    )
    op.create_table(
        "account_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["personal_id"], ["citizen.personal_id"], name=op.f("fk_account_event_personal_id_citizen")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_event")),
    )
    with op.batch_alter_table("account_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_event_personal_id"), ["personal_id"], unique=False)

    op.create_table(
        "grant",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("acr", sa.String(length=40), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("auth_time", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["client.client_id"], name=op.f("fk_grant_client_id_client")),
        sa.ForeignKeyConstraint(["personal_id"], ["citizen.personal_id"], name=op.f("fk_grant_personal_id_citizen")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant")),
    )
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grant_personal_id"), ["personal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grant_session_id"), ["session_id"], unique=False)

    op.create_table(
        "login_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("sid", sa.String(length=32), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("auth_time", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("ended_at", app.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["personal_id"], ["citizen.personal_id"], name=op.f("fk_login_session_personal_id_citizen")
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_login_session")),
        sa.UniqueConstraint("sid", name=op.f("uq_login_session_sid")),
    )
    op.create_table(
        "authorization_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=32), nullable=False),
        sa.Column("redirect_uri", sa.String(length=500), nullable=False),
        sa.Column("nonce", sa.String(length=500), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("claims", sa.JSON(), nullable=True),
        sa.Column("expires_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("used_at", app.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["grant.id"], name=op.f("fk_authorization_code_grant_id_grant")),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_authorization_code")),
    )
    op.create_table(
        "refresh_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("rotated_at", app.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["grant.id"], name=op.f("fk_refresh_token_grant_id_grant")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_refresh_token")),
    )
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_token_grant_id"), ["grant_id"], unique=False)

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("test_client", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("id_token_alg", sa.String(length=10), server_default="RS256", nullable=False))

    with op.batch_alter_table("identity_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("identity_account", schema=None) as batch_op:
        batch_op.drop_column("failed_logins")

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("id_token_alg")
        batch_op.drop_column("test_client")
        batch_op.drop_column("purpose")

    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_token_grant_id"))

    op.drop_table("refresh_token")
    op.drop_table("authorization_code")
    op.drop_table("login_session")
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_session_id"))
        batch_op.drop_index(batch_op.f("ix_grant_personal_id"))

    op.drop_table("grant")
    with op.batch_alter_table("account_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_event_personal_id"))

    op.drop_table("account_event")
    op.drop_table("login_transaction")
    op.drop_table("used_assertion")
    op.drop_table("scenario")
    op.drop_table("revoked_token")
    with op.batch_alter_table("inbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_message_recipient"))
        batch_op.drop_index(batch_op.f("ix_inbox_message_personal_id"))

    op.drop_table("inbox_message")
