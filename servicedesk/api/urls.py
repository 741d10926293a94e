"""The JSON API (/api/v1/), documented by django-ninja's generated OpenAPI."""

from django.contrib.admin.views.decorators import staff_member_required
from ninja import NinjaAPI

from . import errors, siop

api = NinjaAPI(
    title="Portal de Atendimento SIOP",
    version="1",
    description="API do Portal de Atendimento: sincronização de contas do SIOP e integrações.",
    urls_namespace="api",
    parser=errors.ObjectBodyParser(),
    # The schema and its browsable page are for the portal's staff (README, "SIOP account
    # sync"): the API serves SIOP and registered integrations, not the public.
    docs_decorator=staff_member_required,
)
errors.install(api)
api.add_router("/siop/", siop.router)
