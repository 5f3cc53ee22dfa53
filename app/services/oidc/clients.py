"""The client registry and client authentication at the token endpoint (RFC 6749 §2.3)."""

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.core.errors import OAuthError
from app.models import Client
from app.services.reference import load_json

BUSINESS, AGENCY, PUBLIC = "business", "agency", "public"


def hash_secret(secret: str) -> str:
    # Client secrets are long random strings, so a plain SHA-256 is enough (no brute-force stretching).
    return hashlib.sha256(secret.encode()).hexdigest()


def seed_clients(db: Session, issuer: str) -> int:
    """(Re)write the demo clients of seed_data/clients.json, with `{issuer}` filled in."""
    document = load_json("clients.json")
    db.execute(delete(Client).where(Client.client_id.in_([c["client_id"] for c in document["clients"]])))
    for entry in document["clients"]:
        db.add(
            Client(
                client_id=entry["client_id"],
                name=entry["name"],
                kind=entry["kind"],
                secret_hash=hash_secret(entry["secret"]) if entry.get("secret") else None,
                auth_methods=entry["auth_methods"],
                grant_types=entry["grant_types"],
                redirect_uris=[uri.replace("{issuer}", issuer) for uri in entry["redirect_uris"]],
                scopes=entry["scopes"],
                jwks=entry.get("jwks"),
                purpose=entry["purpose"],
                test_client=entry["test_client"],
                id_token_alg=entry["id_token_alg"],
            )
        )
    db.flush()
    return len(document["clients"])


@dataclass(frozen=True)
class ClientCredentials:
    """What a request presented to authenticate its client."""

    method: str
    client_id: str
    secret: str | None = None


def read_client_credentials(authorization: str | None, form: dict[str, Any]) -> ClientCredentials:
    """Find the one authentication method a token request used; more than one is an error (RFC 6749 §2.3)."""
    presented: list[ClientCredentials] = []
    if authorization and authorization.lower().startswith("basic "):
        presented.append(_basic(authorization[6:].strip()))
    if form.get("client_secret"):
        if not form.get("client_id"):
            raise OAuthError("invalid_request", "client_secret was sent without client_id")
        presented.append(ClientCredentials("client_secret_post", form["client_id"], form["client_secret"]))
    if not presented:
        if form.get("client_id"):
            return ClientCredentials("none", form["client_id"])
        raise _invalid_client(
            "client authentication is required (client_secret_basic or client_secret_post)", basic_challenge=True
        )
    if len(presented) > 1:
        raise OAuthError("invalid_request", "use exactly one client authentication method")
    if form.get("client_id") and form["client_id"] != presented[0].client_id:
        raise OAuthError("invalid_request", "client_id does not match the authenticated client")
    return presented[0]


def _basic(encoded: str) -> ClientCredentials:
    try:
        client_id, secret = base64.b64decode(encoded, validate=True).decode().split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _invalid_client("malformed HTTP Basic credentials", basic_challenge=True) from exc
    client_id, secret = unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1: both parts are form-urlencoded
    if "\x00" in client_id + secret:
        raise _invalid_client("malformed HTTP Basic credentials", basic_challenge=True)
    return ClientCredentials("client_secret_basic", client_id, secret)


def authenticate_client(db: Session, credentials: ClientCredentials) -> Client:
    client = db.get(Client, credentials.client_id)
    if client is None:
        raise _invalid_client("unknown client", basic_challenge=credentials.method == "client_secret_basic")
    if credentials.method not in client.auth_methods:
        raise _invalid_client(
            f"this client does not authenticate with {credentials.method}; "
            f"registered: {', '.join(client.auth_methods)}",
            basic_challenge=credentials.method == "client_secret_basic",
        )
    if credentials.secret is not None and not (
        client.secret_hash and hmac.compare_digest(hash_secret(credentials.secret), client.secret_hash)
    ):
        raise _invalid_client("wrong client secret", basic_challenge=credentials.method == "client_secret_basic")
    return client


def _invalid_client(description: str, *, basic_challenge: bool) -> OAuthError:
    headers = {"WWW-Authenticate": 'Basic realm="vneid-sandbox"'} if basic_challenge else None
    return OAuthError("invalid_client", description, status=401, headers=headers)
