"""Images pasted or dropped into the editor: stored at once, answered in JSON for editor.js.

Requesters upload through their ticket's path (tickets:inline_image), agents through the
desk's (desk:inline_image); each path refuses the other side."""

from django.http import JsonResponse

from servicedesk.core.errors import ApplicationError

from ..forms import InlineImageForm
from ..models import Ticket
from ..services.attachments import inline_image_add

REQUESTER_ONLY = (
    "Só o requerente do chamado envia imagens por aqui. A equipe de atendimento cola imagens "
    "pela mesa de atendimento."
)


def inline_image_answer(request, ticket: Ticket) -> JsonResponse:
    """Store the posted image for `request.user` on `ticket` (access already checked):
    201 with its URL, or 400 with the pt-BR reason in "error"."""
    form = InlineImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"error": form.errors["image"][0]}, status=400)
    try:
        attachment = inline_image_add(
            actor=request.user, ticket=ticket, upload=form.cleaned_data["image"]
        )
    except ApplicationError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse(
        {"url": attachment.get_absolute_url(), "name": attachment.original_name}, status=201
    )
