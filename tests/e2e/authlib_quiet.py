"""Authlib's httpx client, imported without its nudge towards the httpx2 fork (this project uses httpx).

Authlib's `deprecate` module forces that warning to "always" when imported, so it is imported first and the
one message is silenced after; `filterwarnings = error` keeps applying to everything else.
"""

import warnings

with warnings.catch_warnings():
    import authlib.deprecate  # noqa: F401

    warnings.filterwarnings("ignore", "The httpx module is deprecated", DeprecationWarning)
    from authlib.common.security import generate_token
    from authlib.integrations.httpx_client import OAuth2Client, OAuthError
    from authlib.oauth2.rfc7523 import PrivateKeyJWT

__all__ = ["OAuth2Client", "OAuthError", "PrivateKeyJWT", "generate_token"]
