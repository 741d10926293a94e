"""System checks that keep a production deployment from starting half-configured."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

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


SIOP_REPLAYS_PER_PROCESS = (
    "A sincronização do SIOP está ligada com um cache local: cada processo lembra só as "
    "assinaturas que ele mesmo aceitou, e uma requisição capturada pode ser repetida em outro."
)


@register(Tags.security, deploy=True)
def siop_replays_need_a_shared_cache(app_configs, **kwargs):
    """The sync API accepts each signature once by remembering it in the cache
    (servicedesk/api/siop.py): with several workers that cache must be shared (Redis)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.PORTAL_SIOP_SYNC_SECRET or "locmem" not in backend.lower():
        return []
    return [
        Warning(
            SIOP_REPLAYS_PER_PROCESS,
            hint="Defina REDIS_URL: o cache do Redis é compartilhado por todos os processos.",
            id="core.W001",
        )
    ]
