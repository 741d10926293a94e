"""System checks that keep a production deployment from starting half-configured."""

from django.conf import settings
from django.core.checks import Error, register

INSECURE_SECRET_KEY = (
    "SECRET_KEY não foi definida no ambiente: com DEBUG desligado o portal não pode usar a "
    "chave de desenvolvimento."
)


@register()
def secret_key_is_set(app_configs, **kwargs):
    if settings.DEBUG or settings.SECRET_KEY != settings.DEV_SECRET_KEY:
        return []
    return [
        Error(
            INSECURE_SECRET_KEY,
            hint="Defina SECRET_KEY com um valor longo e aleatório.",
            id="core.E001",
        )
    ]
