"""SQLAlchemy models, one module per aggregate; importing this package registers them all."""

from app.models.account import IdentityAccount
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.citizen import Citizen, Conviction, Household
from app.models.client import Client
from app.models.consent import Consent
from app.models.sandbox_setting import SandboxSetting
from app.models.signing_key import SigningKey

__all__ = [
    "AuditEvent",
    "Base",
    "Citizen",
    "Client",
    "Consent",
    "Conviction",
    "Household",
    "IdentityAccount",
    "SandboxSetting",
    "SigningKey",
]
