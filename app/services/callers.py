"""Who is calling: the typed callers that app/deps.py makes from a checked access token, one type per kind.

A route asks for the precise kind it serves, so nothing past the dependency has to ask whether a citizen
signed in: a `CitizenCaller` always has a personal ID, an `OfficerCaller` always has a desk.

Who may reach which family of routes with a citizen's token is one table, `CITIZEN_FAMILIES`, checked by
`admit()` in the dependency every route of the family takes (app/deps.py); the README's "Scopes, consent and
purpose" section shows the same table.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.core.errors import (
    CitizenTokenRequired,
    FirstPartyClientRequired,
    InsufficientAccountLevel,
    InsufficientScope,
)
from app.models import Client
from app.services.identity.accounts import ACR_BY_LEVEL, LEVEL_BY_ACR
from app.services.oidc.clients import AGENCY, BUSINESS, FIRST_PARTY, PUBLIC
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
    grant_id: str | None = None  # the sign-in (grant) the token was issued under

    @property
    def level(self) -> int:
        """The account level the citizen signed in at (0 for an acr the sandbox does not know)."""
        return LEVEL_BY_ACR.get(self.acr or "", 0)


@dataclass(frozen=True, kw_only=True)
class OfficerCaller(CitizenCaller):
    """A signed-in police or records officer of the VNeID app, with the desk (role, jurisdiction) they work at."""

    officer: Officer


class Family(StrEnum):
    """The families of routes that act for a signed-in citizen."""

    USERINFO = "userinfo"  # /oauth2/userinfo
    SELF_SERVICE = "self_service"  # /v1/me (record, access log, consents, account), the document wallet
    PROCEDURES = "procedures"  # /v1/applications…, /v1/me/owner-requests, /v1/payments…
    OFFICER = "officer"  # /v1/officer… (the desk, account powers): the officer's role is checked next


@dataclass(frozen=True)
class FamilyRule:
    client_kinds: frozenset[str]
    why: str
    scope: str | None = None  # a scope the token must have been granted


# Account state is not repeated here: a lock or a death revokes every grant of the account (identity.lifecycle),
# so its tokens fail before they reach a rule. Levels are per procedure (`admit(..., level=2)`).
CITIZEN_FAMILIES: dict[Family, FamilyRule] = {
    # OIDC Core §5.3: userinfo serves tokens of an OpenID Connect sign-in, that is granted `openid`.
    Family.USERINFO: FamilyRule(
        frozenset({FIRST_PARTY, BUSINESS, AGENCY, PUBLIC}),
        "the claims the citizen consented to, for any client",
        scope="openid",
    ),
    Family.SELF_SERVICE: FamilyRule(
        frozenset({FIRST_PARTY}), "a citizen's whole record and history: only in the VNeID app"
    ),
    # Procedures are done in the VNeID app (DESIGN: "On VNeID: level 2 account"); a relying party's login token
    # was granted to identify the citizen, not to file, withdraw, pay or consent as a landlord in their name.
    Family.PROCEDURES: FamilyRule(frozenset({FIRST_PARTY}), "filing and following procedures: only in the VNeID app"),
    Family.OFFICER: FamilyRule(frozenset({FIRST_PARTY}), "officers work in the VNeID app"),
}


def admit(caller: ClientCaller, family: Family, level: int = 1) -> CitizenCaller:
    """The caller as a citizen if the family's rule lets its client in, at `level` or above; else the refusal."""
    rule = CITIZEN_FAMILIES[family]
    if rule.scope is not None and rule.scope not in caller.scopes:
        raise InsufficientScope(f"this endpoint needs a token granted the {rule.scope} scope", required=[rule.scope])
    if not isinstance(caller, CitizenCaller):
        raise CitizenTokenRequired("this endpoint needs a citizen's access token from the login flow")
    if caller.client.kind not in rule.client_kinds:
        raise FirstPartyClientRequired(
            f"{rule.why}: this endpoint takes tokens of the VNeID app (client vneid-app), not of {caller.client_id}",
            family=family.value,
        )
    if caller.level < level:
        raise InsufficientAccountLevel(ACR_BY_LEVEL[level])
    return caller
