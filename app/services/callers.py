"""Who is calling: the typed callers that app/deps.py makes from a checked access token, one type per kind.

A route asks for the precise kind it serves, so nothing past the dependency has to ask whether a citizen
signed in: a `CitizenCaller` always has a personal ID, an `OfficerCaller` always has a desk.
"""

from dataclasses import dataclass

from app.models import Client
from app.services.identity.accounts import LEVEL_BY_ACR
from app.services.procedures.desk import Officer


@dataclass(frozen=True)
class ClientCaller:
    """The client behind an access token and what the token lets it do (client credentials or a citizen's)."""

    client: Client
    scopes: frozenset[str]
    subject: str

    @property
    def client_id(self) -> str:
        return self.client.client_id


@dataclass(frozen=True, kw_only=True)
class CitizenCaller(ClientCaller):
    """A client acting for a citizen who signed in through the login flow."""

    personal_id: str
    acr: str | None = None

    @property
    def level(self) -> int:
        """The account level the citizen signed in at (0 for an acr the sandbox does not know)."""
        return LEVEL_BY_ACR.get(self.acr or "", 0)


@dataclass(frozen=True, kw_only=True)
class OfficerCaller(CitizenCaller):
    """A signed-in police or records officer of the VNeID app, with the desk (role, jurisdiction) they work at."""

    officer: Officer
