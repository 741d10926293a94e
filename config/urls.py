"""Top-level URL map: portal, accounts, admin and the JSON API."""

import os

from django.contrib import admin
from django.urls import include, path

from servicedesk.api.urls import api

admin.site.site_header = "Administração do Portal de Atendimento"
admin.site.site_title = "Portal de Atendimento"
admin.site.index_title = "Administração"

# Errors: JSON in pt-BR under /api/, the portal's pages elsewhere; a database that cannot be
# reached answers 503 with Retry-After (servicedesk/core/error_views.py).
handler400 = "servicedesk.core.error_views.bad_request"
handler403 = "servicedesk.core.error_views.permission_denied"
handler404 = "servicedesk.core.error_views.page_not_found"
handler500 = "servicedesk.core.error_views.server_error"

urlpatterns = [
    path("", include("servicedesk.core.urls")),
    path("", include("servicedesk.accounts.urls")),
    path("", include("servicedesk.catalog.urls")),
    path("", include("servicedesk.tickets.urls")),
    path("", include("servicedesk.surveys.urls")),
    path("mesa/", include("servicedesk.desk.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# The benchmark's floor (bench/README.md): a bare view through the same middleware, only in
# a server started for the benchmark.
if os.environ.get("PORTAL_BENCH_FLOOR", "").strip().lower() in {"1", "true", "yes", "on", "sim"}:
    from bench.floor import floor

    urlpatterns.append(path("bench/floor/", floor, name="bench_floor"))
