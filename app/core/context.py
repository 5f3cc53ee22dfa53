"""What services work with in a request: the transaction, the sandbox clock, the signing keys and the settings."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.config import Settings
from app.core.keys import KeyStore


@dataclass(frozen=True)
class Env:
    db: Session
    clock: Clock
    keys: KeyStore
    settings: Settings
