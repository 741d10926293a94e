"""Serving attachments: only through this view, after checking who asks."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from ..selectors import attachment_get_visible

# Shown in the browser rather than downloaded: images (timeline) and PDF.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
# The file is data, never a page: no scripts, no plugins, no framing by other sites.
ATTACHMENT_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


@login_required
def attachment_download(request, number: int, attachment_id: int):
    attachment = attachment_get_visible(
        user=request.user, number=number, attachment_id=attachment_id
    )
    as_attachment = attachment.content_type not in INLINE_TYPES
    prefix = settings.PORTAL_ATTACHMENT_X_ACCEL_PREFIX
    if prefix:
        # The reverse proxy streams the file from its internal location.
        response = HttpResponse(content_type=attachment.content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + attachment.file.name
    else:
        response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
        response["Content-Length"] = attachment.size
    response["Content-Disposition"] = content_disposition_header(
        as_attachment, attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ATTACHMENT_CSP
    # Never kept by the browser: after logout on a shared office computer the file must be
    # gone (issue 15). Inline images come through here too.
    response["Cache-Control"] = "private, no-store"
    return response
