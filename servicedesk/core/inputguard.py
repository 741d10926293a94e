"""Text from outside checked once, before any view: no NUL, no invalid UTF-8 or lone
surrogates, no absurd lengths, in the path, the query string, form fields, uploaded file
names, the headers and (through the API's parser) JSON strings.

PostgreSQL refuses NUL in text (a 500 where it reached a query) and a password hash would
take it silently; invalid UTF-8 was quietly replaced. One mechanism for every page instead of
a check per field (issue 15, item 2): the middleware answers 400 with the field named, as a
pt-BR page, or JSON under /api/. Fields keep their own rules (max_length, choices) on top.
"""

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.encoding import force_str

# Limits far above what any of the portal's fields accepts (the longest, a message, takes
# 100,000 characters), so a field's own rule speaks first; past them a value is an attack.
# Past gunicorn's request line (4,094 bytes): only a test client or a forged request sends it.
MAX_QUERY_VALUE = 8_192
MAX_FORM_VALUE = 200_000
MAX_HEADER_VALUE = 8_192
MAX_NAME = 200  # a parameter's or field's name

INVALID_INPUT = "Dados inválidos: corrija o campo indicado e envie de novo."
HAS_NUL = "O campo “{field}” contém um caractere nulo (\\0), que não é aceito."
NOT_UTF8 = "O campo “{field}” contém caracteres inválidos: o texto deve estar em UTF-8."
TOO_LONG = "O campo “{field}” é longo demais (máximo de {limit} caracteres)."
API_BODY_TOO_LARGE = "O conteúdo enviado tem {size} bytes e passa do limite de {limit} bytes."
API_BODY_TOO_LARGE_CHUNKED = "O conteúdo enviado passa do limite de {limit} bytes."
PAGE_TITLE = "Dados inválidos"


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def _shown(name: str) -> str:
    """A field name safe to show back: no control characters, not too long."""
    name = "".join(ch if ch.isprintable() else "?" for ch in name)
    return name if len(name) <= 60 else name[:57] + "…"


def _has_lone_surrogate(value: str) -> bool:
    # Strict UTF-8 encoding refuses exactly the lone surrogates, at C speed (a per-character
    # scan in Python cost a millisecond per 20 kB of text, on every form posted).
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_problem(field: str, value: str, limit: int) -> Problem | None:
    """The first thing wrong with `value` (a str already decoded), or None."""
    if "\x00" in value:
        return Problem(field, HAS_NUL.format(field=_shown(field)))
    if _has_lone_surrogate(value):
        return Problem(field, NOT_UTF8.format(field=_shown(field)))
    if len(value) > limit:
        return Problem(
            field, TOO_LONG.format(field=_shown(field), limit=f"{limit:,}".replace(",", "."))
        )
    return None


def _encoded_pairs_problems(raw: bytes, limit: int) -> list[Problem]:
    """Each `name=value` of a query string or urlencoded body, percent-decoded to bytes and
    decoded as strict UTF-8 (Django itself replaces bad bytes with U+FFFD and goes on)."""
    problems = []
    for pair in raw.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name_bytes = unquote_to_bytes(raw_name.replace(b"+", b" "))
        value_bytes = unquote_to_bytes(raw_value.replace(b"+", b" "))
        field = name_bytes.decode("utf-8", "replace")
        try:
            name, value = name_bytes.decode("utf-8"), value_bytes.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(field, NOT_UTF8.format(field=_shown(field))))
            continue
        problem = text_problem(name, name, MAX_NAME) or text_problem(name, value, limit)
        if problem:
            problems.append(problem)
    return problems


def request_problems(request: HttpRequest) -> list[Problem]:
    """What is wrong with the path, the query string and the headers (before any view)."""
    problems = []
    path_problem = text_problem("endereço", request.path, MAX_QUERY_VALUE)
    if path_problem:
        problems.append(path_problem)
    raw_query = request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace")
    problems += _encoded_pairs_problems(raw_query, MAX_QUERY_VALUE)
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            header = key[5:].replace("_", "-").title()
            problem = text_problem(header, value, MAX_HEADER_VALUE)
            if problem:
                problems.append(problem)
    return problems


def body_problems(request: HttpRequest) -> list[Problem]:
    """What is wrong with the form fields and uploaded file names of a posted form."""
    content_type = request.content_type or ""
    problems = []
    if content_type == "application/x-www-form-urlencoded":
        problems += _encoded_pairs_problems(request.body, MAX_FORM_VALUE)
    elif content_type == "multipart/form-data":
        # Django already decoded the fields (bad bytes replaced): NUL and lengths remain.
        for name, values in request.POST.lists():
            for value in values:
                problem = text_problem(name, name, MAX_NAME) or text_problem(
                    name, value, MAX_FORM_VALUE
                )
                if problem:
                    problems.append(problem)
                    break
        for name, files in request.FILES.lists():
            for upload in files:
                problem = text_problem(name, force_str(upload.name or ""), MAX_FORM_VALUE)
                if problem:
                    problems.append(problem)
                    break
    return problems


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def refusal(request: HttpRequest, problems: list[Problem]) -> HttpResponse:
    """400 naming each field: JSON like the API's other errors under /api/, a page elsewhere."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(_shown(problem.field), []).append(problem.message)
    if is_api(request):
        return JsonResponse({"detail": INVALID_INPUT, "errors": errors}, status=400)
    context = {"title": PAGE_TITLE, "problems": problems, "intro": INVALID_INPUT}
    return render(request, "core/invalid_input.html", context, status=400)


class InputGuardMiddleware:
    """Refuses, with 400, requests whose text the portal must not read (see module doc).

    __call__ checks what arrives before any middleware reads it (path, query string, headers;
    an API body over PORTAL_API_MAX_BODY_BYTES gets 413); process_view checks the posted
    form, after CsrfViewMiddleware has parsed it (and refused a forged one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problems = request_problems(request)
        if problems:
            return refusal(request, problems)
        if is_api(request):
            too_large = self._api_body_too_large(request)
            if too_large:
                return too_large
        return self.get_response(request)

    def _api_body_too_large(self, request: HttpRequest) -> HttpResponse | None:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        limit = settings.PORTAL_API_MAX_BODY_BYTES
        if size <= limit:
            return None
        message = API_BODY_TOO_LARGE.format(size=size, limit=limit)
        return JsonResponse({"detail": message, "errors": {}}, status=413)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        problems = body_problems(request)
        return refusal(request, problems) if problems else None
