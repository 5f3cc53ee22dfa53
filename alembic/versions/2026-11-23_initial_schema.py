"""initial schema

Revision ID: ce240b82f7a0
Revises:
Create Date: 2026-11-23 14:33:41.759952
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "ce240b82f7a0"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("fee_vnd", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_personal_id"), ["personal_id"], unique=False)

    op.create_table(
        "client",
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=128), nullable=True),
        sa.Column("auth_methods", sa.JSON(), nullable=False),
        sa.Column("grant_types", sa.JSON(), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client")),
    )
    op.create_table(
        "household",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("head_personal_id", sa.String(length=12), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_household")),
    )
    op.create_table(
        "sandbox_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sandbox_setting")),
    )
    op.create_table(
        "signing_key",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("alg", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("retired_at", app.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_key")),
    )
    op.create_table(
        "citizen",
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("other_names", sa.String(length=120), nullable=True),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("place_of_birth", sa.String(length=200), nullable=False),
        sa.Column("birth_registration_province_code", sa.String(length=2), nullable=False),
        sa.Column("hometown", sa.String(length=200), nullable=False),
        sa.Column("ethnicity_code", sa.String(length=2), nullable=False),
        sa.Column("religion_code", sa.String(length=20), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("blood_type", sa.String(length=3), nullable=True),
        sa.Column("old_id_number", sa.String(length=9), nullable=True),
        sa.Column("id_card_issued_on", sa.Date(), nullable=True),
        sa.Column("id_card_expires_on", sa.Date(), nullable=True),
        sa.Column("permanent_street", sa.String(length=200), nullable=False),
        sa.Column("permanent_commune_code", sa.String(length=5), nullable=False),
        sa.Column("temporary_street", sa.String(length=200), nullable=True),
        sa.Column("temporary_commune_code", sa.String(length=5), nullable=True),
        sa.Column("temporary_until", sa.Date(), nullable=True),
        sa.Column("current_street", sa.String(length=200), nullable=True),
        sa.Column("current_commune_code", sa.String(length=5), nullable=True),
        sa.Column("residence_file_number", sa.String(length=20), nullable=False),
        sa.Column("marital_status", sa.String(length=10), nullable=False),
        sa.Column("household_code", sa.String(length=12), nullable=False),
        sa.Column("relation_to_head", sa.String(length=12), nullable=False),
        sa.Column("father_personal_id", sa.String(length=12), nullable=True),
        sa.Column("mother_personal_id", sa.String(length=12), nullable=True),
        sa.Column("spouse_personal_id", sa.String(length=12), nullable=True),
        sa.Column("date_of_death", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(length=15), nullable=True),
        sa.Column("email", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_code"], ["household.code"], name=op.f("fk_citizen_household_code_household")
        ),
        sa.PrimaryKeyConstraint("personal_id", name=op.f("pk_citizen")),
    )
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_father_personal_id"), ["father_personal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citizen_household_code"), ["household_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_citizen_mother_personal_id"), ["mother_personal_id"], unique=False)

    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("granted_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", app.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["client.client_id"], name=op.f("fk_consent_client_id_client")),
        sa.ForeignKeyConstraint(["personal_id"], ["citizen.personal_id"], name=op.f("fk_consent_personal_id_citizen")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_personal_id"), ["personal_id"], unique=False)

    op.create_table(
        "conviction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("judgment_number", sa.String(length=40), nullable=False),
        sa.Column("judgment_date", sa.Date(), nullable=False),
        sa.Column("court", sa.String(length=200), nullable=False),
        sa.Column("offence", sa.String(length=200), nullable=False),
        sa.Column("article", sa.String(length=100), nullable=False),
        sa.Column("sentence", sa.String(length=200), nullable=False),
        sa.Column("sentence_completed_on", sa.Date(), nullable=True),
        sa.Column("expunged", sa.Boolean(), nullable=False),
        sa.Column("expunged_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["personal_id"], ["citizen.personal_id"], name=op.f("fk_conviction_personal_id_citizen")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conviction")),
    )
    with op.batch_alter_table("conviction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conviction_personal_id"), ["personal_id"], unique=False)

    op.create_table(
        "identity_account",
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("lock_reason", sa.String(length=30), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=5), nullable=True),
        sa.Column("phone", sa.String(length=15), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["personal_id"], ["citizen.personal_id"], name=op.f("fk_identity_account_personal_id_citizen")
        ),
        sa.PrimaryKeyConstraint("personal_id", name=op.f("pk_identity_account")),
    )


def downgrade() -> None:
    op.drop_table("identity_account")
    with op.batch_alter_table("conviction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conviction_personal_id"))

    op.drop_table("conviction")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_personal_id"))

    op.drop_table("consent")
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_mother_personal_id"))
        batch_op.drop_index(batch_op.f("ix_citizen_household_code"))
        batch_op.drop_index(batch_op.f("ix_citizen_father_personal_id"))

    op.drop_table("citizen")
    op.drop_table("signing_key")
    op.drop_table("sandbox_setting")
    op.drop_table("household")
    op.drop_table("client")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_personal_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_client_id"))

    op.drop_table("audit_event")
