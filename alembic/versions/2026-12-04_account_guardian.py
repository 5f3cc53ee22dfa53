"""account guardian: a child's account names the parent who registered it

Revision ID: 3f8b6d21a9c4
Revises: 4e1b7d9c2a56
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "3f8b6d21a9c4"
down_revision: str | None = "4e1b7d9c2a56"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identity_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guardian_personal_id", sa.String(length=12), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_identity_account_guardian_personal_id_citizen"),
            "citizen",
            ["guardian_personal_id"],
            ["personal_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_identity_account_guardian_personal_id_citizen"), type_="foreignkey")
        batch_op.drop_column("guardian_personal_id")
