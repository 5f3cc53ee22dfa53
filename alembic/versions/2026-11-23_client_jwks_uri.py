"""client jwks uri

Revision ID: 940167057228
Revises: 8263b4556b59
Create Date: 2026-11-23 16:18:29.625801
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "940167057228"
down_revision: str | None = "8263b4556b59"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jwks_uri", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("jwks_uri")
