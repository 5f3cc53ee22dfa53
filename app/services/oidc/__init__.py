"""The OAuth 2.0 / OpenID Connect provider: clients, client authentication and token issuance."""
