"""Login with gov.br (Login Único): OpenID Connect through mozilla-django-oidc, matched by CPF."""
