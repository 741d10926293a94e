from django.urls import path

from .views import queue, reports, ticket

app_name = "desk"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("chamados/<int:number>/", ticket.ticket_detail, name="ticket"),
    path("chamados/<int:number>/assumir/", ticket.take_ticket, name="take"),
    path("chamados/<int:number>/imagens/", ticket.inline_image_upload, name="inline_image"),
    path("chamados/<int:number>/<slug:action>/", ticket.ticket_action, name="action"),
    path("relatorios/", reports.reports, name="reports"),
    path("relatorios/<slug:tabela>.csv", reports.report_csv, name="report_csv"),
]
