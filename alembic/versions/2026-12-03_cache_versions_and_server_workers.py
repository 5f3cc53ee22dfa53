"""cache versions and server workers

Revision ID: 5b1f0c3e9a71
Revises: 940167057228
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "5b1f0c3e9a71"
down_revision: str | None = "940167057228"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cache_version",
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("area", name=op.f("pk_cache_version")),
    )
    op.create_table(
        "server_worker",
        sa.Column("worker_id", sa.String(length=80), nullable=False),
        sa.Column("instance_id", sa.String(length=40), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_server_worker")),
    )
    with op.batch_alter_table("server_worker", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_server_worker_instance_id"), ["instance_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("server_worker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_server_worker_instance_id"))
    op.drop_table("server_worker")
    op.drop_table("cache_version")
