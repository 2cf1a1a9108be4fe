"""Emulated Microsoft Entra ID: OpenID discovery and JWKS (`discovery`), the token endpoint and its
grants (`token_endpoint`, `grants`), the sign-in pages (`signin`, `signin_html`), device code
(`device_authorization`) and the sessions behind user sign-ins (`user_sessions`)."""
