"""The JSON API (/api/v1/), documented by django-ninja's generated OpenAPI."""

from ninja import NinjaAPI

from . import errors, siop

api = NinjaAPI(
    title="Portal de Atendimento SIOP",
    version="1",
    description="API do Portal de Atendimento: sincronização de contas do SIOP e integrações.",
    urls_namespace="api",
    parser=errors.ObjectBodyParser(),
)
errors.install(api)
api.add_router("/siop/", siop.router)
