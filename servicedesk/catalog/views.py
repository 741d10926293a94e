"""The card page: choose a subject, fill its form, attach files, open the ticket."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from servicedesk.core.errors import ApplicationError
from servicedesk.core.htmx import redirect_after_post
from servicedesk.core.submissions import submission_from_request
from servicedesk.tickets.forms import AttachmentsForm
from servicedesk.tickets.services.tickets import ticket_open
from servicedesk.tickets.uploads import check_uploads

from .forms_build import build_subject_form
from .selectors import service_get_active, subject_get_for_service

TICKET_OPENED = "Chamado nº {number} aberto. Você pode acompanhá-lo nesta página."
CHOOSE_FILES_AGAIN = (
    "Os arquivos não foram enviados, porque o navegador não os guarda depois de um erro: "
    "escolha novamente o(s) {count} arquivo(s) que você tinha anexado."
)


@login_required
def service_detail(request, slug: str):
    service = service_get_active(slug=slug)
    return render(request, "catalog/service_detail.html", {"service": service})


@login_required
@require_http_methods(["GET", "POST"])
def subject_open(request, slug: str, subject_id: int):
    service = service_get_active(slug=slug)
    subject, specs = subject_get_for_service(service=service, subject_id=subject_id)
    form = build_subject_form(subject, specs)(request.POST or None)
    files_form = AttachmentsForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid() and files_form.is_valid():
        try:
            checked = check_uploads(files_form.cleaned_data["files"])
            ticket = ticket_open(
                actor=request.user,
                subject=subject,
                answers=form.answers(),
                files=checked,
                submission=submission_from_request(request),
            )
        except ApplicationError as error:
            files_form.add_error("files" if error.field == "files" else None, error.message)
        else:
            messages.success(request, TICKET_OPENED.format(number=ticket.number))
            return redirect_after_post(request, "tickets:detail", number=ticket.number)
    files_lost = len(request.FILES.getlist("files"))
    context = {
        "service": service,
        "subject": subject,
        "form": form,
        "files_form": files_form,
        "max_files": settings.PORTAL_ATTACHMENT_MAX_FILES,
        "max_mb": settings.PORTAL_ATTACHMENT_MAX_MB,
        # Browsers drop chosen files when the page comes back with errors: say so.
        "files_lost_message": CHOOSE_FILES_AGAIN.format(count=files_lost) if files_lost else "",
    }
    return render(
        request, "catalog/service_detail.html", context, status=400 if form.is_bound else 200
    )
