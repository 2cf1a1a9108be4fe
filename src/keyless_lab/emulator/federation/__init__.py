"""Emulated external OIDC issuers whose tokens Entra ID accepts through federated identity
credentials: AKS service-account tokens, GitHub Actions and GitLab ID tokens (`issuers`)."""
