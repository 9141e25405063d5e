"""Two-factor authentication (TOTP with recovery codes) for the accounts that orgunits owns."""
