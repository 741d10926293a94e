"""Requests whose body was cut short are refused before any view runs.

A connection that closes halfway through an upload hands the portal a body shorter than its
Content-Length. Django reads what came: a form field stops mid-text, and a file part that
never reaches its closing boundary is dropped without a word (MultiPartParser calls the
handlers' upload_interrupted() and goes on), so a ticket or a reply was saved as if complete,
without its file, and its e-mails went out. The body is counted where it enters (the WSGI
application, config/wsgi.py) and checked once parsed, for every form and endpoint at once:
all of Content-Length must have arrived and, for multipart/form-data, the closing boundary
(RFC 7578 / RFC 2046: "--boundary--") must be there. Otherwise: 400 with a pt-BR page (or
JSON for the API and the inline image upload), and nothing is stored.
"""

import logging

from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

INCOMPLETE_BODY = (
    "O envio foi interrompido antes de chegar inteiro (a conexão caiu no meio do caminho). "
    "Nada foi salvo. Volte à página, confira o texto e os arquivos e envie de novo."
)

ENVIRON_KEY = "portal.counted_input"
# How much of the end of the body is kept to find the closing boundary (at most 70
# characters, RFC 2046, plus dashes and line breaks); an epilogue longer than this is
# not sent by browsers.
_TAIL = 1024


class CountingInput:
    """wsgi.input, counting the bytes read and keeping the last ones."""

    def __init__(self, stream):
        self._stream = stream
        self.bytes_read = 0
        self.tail = b""

    def _seen(self, data: bytes) -> bytes:
        self.bytes_read += len(data)
        self.tail = (self.tail + data)[-_TAIL:]
        return data

    def read(self, *args) -> bytes:
        return self._seen(self._stream.read(*args))

    def readline(self, *args) -> bytes:
        return self._seen(self._stream.readline(*args))

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def complete_bodies(application):
    """Wrap a WSGI application (or the test client's handler) so that request bodies are
    counted as they are read."""

    def counted(environ, *args):
        if "wsgi.input" in environ:
            environ[ENVIRON_KEY] = environ["wsgi.input"] = CountingInput(environ["wsgi.input"])
        return application(environ, *args)

    return counted


def _declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _is_complete(request, counted: CountingInput, length: int) -> bool:
    content_type = request.content_type or ""
    try:
        if content_type == "multipart/form-data" or (
            content_type == "application/x-www-form-urlencoded"
        ):
            request.POST  # noqa: B018  (parse it now, reading the whole body)
        else:
            request.body  # noqa: B018
    except MultiPartParserError:
        return False
    if counted.bytes_read < length:
        return False
    if content_type == "multipart/form-data":
        boundary = request.content_params.get("boundary", "").encode("ascii", "replace")
        return bool(boundary) and b"--" + boundary + b"--" in counted.tail
    return True


def _refusal(request):
    wants_json = "application/json" in request.headers.get("Accept", "") or (
        request.content_type == "application/json"
    )
    if wants_json:
        return JsonResponse({"error": INCOMPLETE_BODY, "detail": INCOMPLETE_BODY}, status=400)
    html = render_to_string("400_incomplete.html", {"message": INCOMPLETE_BODY})
    return HttpResponseBadRequest(html)


class CompleteBodyMiddleware:
    """Refuses a request whose body did not arrive whole (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counted = request.environ.get(ENVIRON_KEY)
        length = _declared_length(request)
        if counted is not None and length and not _is_complete(request, counted, length):
            logger.warning(
                "refused %s %s: body incomplete (%s of %s bytes arrived)",
                request.method,
                request.path,
                counted.bytes_read,
                length,
            )
            self._discard_files(request)
            return _refusal(request)
        return self.get_response(request)

    @staticmethod
    def _discard_files(request) -> None:
        """Uploaded parts written to temporary files are deleted now, not at some GC."""
        for _field, uploads in request.FILES.lists():
            for upload in uploads:
                try:
                    upload.close()
                except OSError:
                    logger.exception("could not close the temporary upload %s", upload.name)
