"""The peer the login benchmark measures the sandbox against: mockpass, the Singpass / Corppass / Myinfo mock server
of Singapore's GovTech (Node.js, Express), at the exact version pinned in bench/peers/package-lock.json.

`ensure_mockpass()` runs `npm ci` into bench/peers/node_modules (git-ignored) when it is missing or out of date;
`mockpass()` starts it on a free loopback port with its shipped defaults (no login page, its static test keys) and
stops it afterwards. What its Singpass v2 (NDI OIDC) flow does, read from its source
(lib/express/oidc/v2-ndi.js at 4.3.4):

- GET /singpass/v2/authorize?scope=openid&response_type=code&client_id&redirect_uri&state&nonce: any client_id
  and redirect_uri; with no login page (the default) it signs its first test profile in at once and answers
  302 to redirect_uri?code=…&state=… (the code: 45 random bytes, base64, percent-encoded; held 5 minutes in
  memory, not single-use). PKCE parameters are accepted and ignored.
- POST /singpass/v2/token (form): grant_type=authorization_code, client_id, redirect_uri, code,
  client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer, client_assertion: a JWT
  (private_key_jwt) verified against the relying party's JWKS, by default its shipped test keys
  static/certs/oidc-v2-rp-public.json (signing key: EC P-521, ES512); the header needs a `typ`, `sub` must be the
  client_id and `aud` the issuer http://HOST/singpass/v2; exp is checked, jti is not (no replay check). Then it
  signs an ID token (ES256) and encrypts it to the relying party's key (ECDH-ES+A256KW, A256CBC-HS512): 200 with
  access_token, token_type and id_token. There is no userinfo endpoint in its Singpass v2.
- It logs every request (morgan "combined") and the token exchange to stdout: kept, as shipped, in a log file.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import free_port
from bench.server import Server, running

PEERS = Path(__file__).resolve().parent / "peers"
MOCKPASS = PEERS / "node_modules" / "@opengovsg" / "mockpass"
STAMP = PEERS / "node_modules" / ".bench-lock-sha256"  # the lock file node_modules was installed from
SINGPASS = "/singpass/v2"
RP_SECRET_KEYS = MOCKPASS / "static" / "certs" / "oidc-v2-rp-secret.json"


def ensure_mockpass() -> Path:
    """`npm ci` from bench/peers/package-lock.json unless node_modules was installed from this very lock file."""
    lock = hashlib.sha256((PEERS / "package-lock.json").read_bytes()).hexdigest()
    if MOCKPASS.is_dir() and STAMP.exists() and STAMP.read_text().strip() == lock:
        return MOCKPASS
    npm = shutil.which("npm")
    if not npm:
        raise RuntimeError("npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm)")
    print("installing mockpass (npm ci in bench/peers) ...", flush=True)
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run(command, cwd=PEERS, check=True)
    STAMP.write_text(lock + "\n")
    return MOCKPASS


def version() -> str:
    return json.loads((MOCKPASS / "package.json").read_text())["version"]


def rp_signing_key() -> dict[str, Any]:
    """mockpass's shipped test relying-party signing key (a private JWK), the one its token endpoint trusts."""
    keys = json.loads(RP_SECRET_KEYS.read_text())["keys"]
    return next(key for key in keys if key.get("use") == "sig")


@contextmanager
def mockpass() -> Iterator[Server]:
    """mockpass on a free loopback port, as shipped (no login page, static keys), until the block ends."""
    node = shutil.which("node")
    if not node:
        raise RuntimeError("node is missing: install Node.js (Debian: apt-get install nodejs)")
    ensure_mockpass()
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith(("MOCKPASS_", "SHOW_LOGIN"))}
    env.update({"MOCKPASS_PORT": str(port), "PORT": str(port)})
    with tempfile.TemporaryDirectory(prefix="vneid-bench-mockpass-") as directory:
        health_url = f"http://127.0.0.1:{port}{SINGPASS}/.well-known/openid-configuration"
        log = Path(directory) / "mockpass.log"
        with running([node, str(MOCKPASS / "index.js")], env=env, health_url=health_url, log=log, cwd=PEERS) as server:
            yield server
