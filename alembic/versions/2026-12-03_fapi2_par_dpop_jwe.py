"""fapi2: pushed requests, DPoP proofs and bindings, client profile and response encryption

Revision ID: 7d2e4c81f0a3
Revises: 7c2d4a9e1b53
Create Date: 2026-12-03 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "7d2e4c81f0a3"
down_revision: str | None = "7c2d4a9e1b53"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLIENT_COLUMNS = (
    ("id_token_encrypted_response_alg", 30),
    ("id_token_encrypted_response_enc", 30),
    ("userinfo_signed_response_alg", 10),
    ("userinfo_encrypted_response_alg", 30),
    ("userinfo_encrypted_response_enc", 30),
)


def upgrade() -> None:
    op.create_table(
        "pushed_request",
        sa.Column("reference_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.client_id"], name=op.f("fk_pushed_request_client_id_client")),
        sa.PrimaryKeyConstraint("reference_hash", name=op.f("pk_pushed_request")),
    )
    op.create_table(
        "used_dpop_proof",
        sa.Column("proof_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("proof_hash", name=op.f("pk_used_dpop_proof")),
    )
    for table in ("authorization_code", "refresh_token"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("dpop_jkt", sa.String(length=43), nullable=True))
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("profile", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("require_pushed_authorization_requests", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("dpop_bound_access_tokens", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        for name, length in CLIENT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        for name, _ in reversed(CLIENT_COLUMNS):
            batch_op.drop_column(name)
        batch_op.drop_column("dpop_bound_access_tokens")
        batch_op.drop_column("require_pushed_authorization_requests")
        batch_op.drop_column("profile")
    for table in ("refresh_token", "authorization_code"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("dpop_jkt")
    op.drop_table("used_dpop_proof")
    op.drop_table("pushed_request")
