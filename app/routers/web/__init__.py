"""The browser UI: the citizen web app (/app), a first-party OIDC client of the sandbox."""
