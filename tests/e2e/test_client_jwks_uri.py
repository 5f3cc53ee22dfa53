"""private_key_jwt against keys the client publishes at its own jwks_uri, fetched by a real server."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.databases import fresh_database
from tests.e2e.live_server import free_port, serve

ADMIN = "jwks-uri-admin"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_server() -> Iterator[str]:
    public = {**json.loads(RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "rental-1", "alg": "RS256", "use": "sig"}
    body = json.dumps({"keys": [public]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()
    server.server_close()


def assertion(token_endpoint: str, kid: str) -> str:
    claims = {
        "iss": "rental-app",
        "sub": "rental-app",
        "aud": token_endpoint,
        "jti": uuid.uuid4().hex,
        "exp": int(time.time()) + 60,
        "iat": int(time.time()),
    }
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": kid})


def test_assertion_verified_with_keys_from_the_clients_jwks_uri(tmp_path: Path, jwks_server: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        fresh_database(tmp_path) as url,
        serve(url, port, tmp_path / "server.log", {"VNEID_ADMIN_TOKEN": ADMIN, "VNEID_ISSUER": base}),
    ):
        registered = httpx.post(
            f"{base}/sandbox/clients",
            headers={"Authorization": f"Bearer {ADMIN}"},
            json={
                "client_id": "rental-app",
                "name": "Rental app",
                "kind": "business",
                "auth_methods": ["private_key_jwt"],
                "grant_types": ["client_credentials"],
                "scopes": ["citizen.verify"],
                "jwks_uri": jwks_server,
                "purpose": "Xác minh người thuê",
            },
        )
        assert registered.status_code == 201, registered.text
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        }
        token_endpoint = f"{base}/oauth2/token"
        ok = httpx.post(token_endpoint, data={**form, "client_assertion": assertion(token_endpoint, "rental-1")})
        assert ok.status_code == 200, ok.text
        unknown = httpx.post(token_endpoint, data={**form, "client_assertion": assertion(token_endpoint, "other")})
        assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_client")
