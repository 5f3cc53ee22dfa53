"""SQLAlchemy models, one module per aggregate; importing this package registers them all."""

from app.models.account import AccountEvent, IdentityAccount, InboxMessage
from app.models.admin_session import AdminSession, AttemptCounter
from app.models.application import Application, ApplicationEvent, Payment
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.citizen import Citizen, Conviction, Household
from app.models.client import Client
from app.models.consent import Consent
from app.models.document import Document
from app.models.journal import JournalEntry
from app.models.oauth import (
    AuthorizationCode,
    Grant,
    LoginSession,
    LoginTransaction,
    PushedRequest,
    RefreshToken,
    RevokedToken,
    Scenario,
    UsedAssertion,
    UsedDpopProof,
)
from app.models.runtime import CacheVersion, ServerWorker
from app.models.sandbox_setting import SandboxSetting
from app.models.signing_key import SigningKey
from app.models.webhook import WebhookDelivery, WebhookEvent, WebhookSubscription

__all__ = [
    "AccountEvent",
    "AdminSession",
    "Application",
    "ApplicationEvent",
    "AttemptCounter",
    "AuditEvent",
    "AuthorizationCode",
    "Base",
    "CacheVersion",
    "Citizen",
    "Client",
    "Consent",
    "Conviction",
    "Document",
    "Grant",
    "Household",
    "IdentityAccount",
    "InboxMessage",
    "JournalEntry",
    "LoginSession",
    "LoginTransaction",
    "Payment",
    "PushedRequest",
    "RefreshToken",
    "RevokedToken",
    "SandboxSetting",
    "Scenario",
    "ServerWorker",
    "SigningKey",
    "UsedAssertion",
    "UsedDpopProof",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
