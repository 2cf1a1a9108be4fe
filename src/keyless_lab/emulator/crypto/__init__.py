"""The emulator's cryptography: signing keys and JWKS, access tokens, the local CA and TLS, certificates."""
