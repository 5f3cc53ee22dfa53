"""residence deregistration: a death (Luật Cư trú 2020 art. 24(1)(a)) ends the citizen's residence

Revision ID: 4e1b7d9c2a56
Revises: c5a9e2d7b4f1
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "4e1b7d9c2a56"
down_revision: str | None = "c5a9e2d7b4f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.add_column(sa.Column("residence_deregistered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("residence_deregistration_reason", sa.String(length=20), nullable=True))
    # The dead already on record lose their residence as of their death, as a death recorded from now on does.
    op.execute(
        "UPDATE citizen SET residence_deregistered_on = date_of_death, residence_deregistration_reason = 'death' "
        "WHERE date_of_death IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.drop_column("residence_deregistration_reason")
        batch_op.drop_column("residence_deregistered_on")
