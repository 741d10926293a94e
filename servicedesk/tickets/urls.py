from django.urls import path

from .views import attachments, requester

app_name = "tickets"

urlpatterns = [
    path("chamados/", requester.ticket_list, name="list"),
    path("chamados/<int:number>/", requester.ticket_detail, name="detail"),
    path("chamados/<int:number>/responder/", requester.ticket_reply_view, name="reply"),
    path("chamados/<int:number>/imagens/", requester.inline_image_upload, name="inline_image"),
    path("chamados/<int:number>/aprovar/", requester.solution_approve_view, name="approve"),
    path("chamados/<int:number>/recusar/", requester.solution_refuse_view, name="refuse"),
    path("chamados/<int:number>/reabrir/", requester.ticket_reopen_view, name="reopen"),
    path(
        "chamados/<int:number>/anexos/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment",
    ),
]
