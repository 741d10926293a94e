"""Uniform pt-BR error bodies for the API: 400 with field errors, never the submitted values."""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser

from servicedesk.core import inputguard
from servicedesk.core.errors import ApplicationError

INVALID_DATA = "Dados inválidos."
NOT_FOUND = "Não encontrado."
_BODY = "body"

BODY_NOT_JSON = "O conteúdo não é um JSON válido."
BODY_NOT_OBJECT = "O conteúdo deve ser um objeto JSON."
BODY_NOT_UTF8 = "O conteúdo deve ser um JSON codificado em UTF-8."
BODY_TOO_DEEP = "O JSON tem níveis aninhados demais (máximo de {limit})."
BAD_REQUEST = "Requisição inválida."
# No record of the API nests; deeper JSON is an attack on the parser, not data.
MAX_JSON_DEPTH = 20
# Longest string value the API reads (a password may take 4,096 characters).
MAX_JSON_STRING = 100_000

_MESSAGES = {
    "missing": "Campo obrigatório.",
    "string_too_short": "Não pode ficar vazio.",
    "string_type": "Informe um texto.",
    "bool_type": "Informe true ou false.",
    "bool_parsing": "Informe true ou false.",
    "json_invalid": BODY_NOT_JSON,
    "model_attributes_type": BODY_NOT_OBJECT,
    "dict_type": BODY_NOT_OBJECT,
    "model_type": BODY_NOT_OBJECT,
}


class BodyParseError(ValueError):
    """Raised by ObjectBodyParser; django-ninja wraps it in a 400 HttpError that we reword."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


def _check_json(value, path: str, depth: int) -> None:
    """Every string of the document (keys included) through the same checks as the pages'
    fields (core/inputguard.py): no NUL, no lone surrogate ("\ud800"), no absurd length."""
    if depth > MAX_JSON_DEPTH:
        raise BodyParseError(BODY_TOO_DEEP.format(limit=MAX_JSON_DEPTH))
    if isinstance(value, str):
        problem = inputguard.text_problem(path or "__all__", value, MAX_JSON_STRING)
        if problem:
            raise BodyParseError(problem.message, field=problem.field)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else key
            problem = inputguard.text_problem(name, key, inputguard.MAX_NAME)
            if problem:
                raise BodyParseError(problem.message, field="__all__")
            _check_json(item, name, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]", depth + 1)


class ObjectBodyParser(Parser):
    """JSON bodies must be UTF-8 objects of plain text: a list or a bare string, NUL bytes,
    lone surrogates and absurd nesting are refused, in pt-BR, before validation."""

    def parse_body(self, request: HttpRequest) -> dict:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise BodyParseError(BODY_NOT_UTF8) from None
        try:
            data = json.loads(text)
        except ValueError:
            raise BodyParseError(BODY_NOT_JSON) from None
        except RecursionError:
            raise BodyParseError(BODY_TOO_DEEP.format(limit=MAX_JSON_DEPTH)) from None
        if not isinstance(data, dict):
            raise BodyParseError(BODY_NOT_OBJECT)
        _check_json(data, "", 0)
        return data


def _pydantic_message(error: dict) -> str:
    if error.get("type") == "string_too_long":
        return f"Texto longo demais (máximo de {error['ctx']['max_length']} caracteres)."
    return _MESSAGES.get(error.get("type", ""), "Valor inválido.")


def field_errors_from_pydantic(errors: list[dict]) -> dict[str, list[str]]:
    """Group pydantic errors by field name. Only messages: pydantic's `input` is dropped so a
    rejected password never travels back in a response or into a log."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in (_BODY, "payload")]
        field = loc[0] if loc else "__all__"
        grouped.setdefault(field, []).append(_pydantic_message(error))
    return grouped


def error_body(message: str, errors: dict[str, list[str]] | None = None) -> dict:
    return {"detail": message, "errors": errors or {}}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request, error_body(INVALID_DATA, field_errors_from_pydantic(exc.errors)), status=400
        )

    @api.exception_handler(ApplicationError)
    def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        errors = {exc.field: [exc.message]} if exc.field else {}
        return api.create_response(request, error_body(exc.message, errors), status=400)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, BodyParseError):
            cause = exc.__cause__
            return api.create_response(
                request, error_body(INVALID_DATA, {cause.field: [str(cause)]}), status=400
            )
        return api.create_response(request, error_body(exc.message), status=exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # A body without Content-Length (chunked) that grows past Django's limit.
        limit = min(settings.PORTAL_API_MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        message = inputguard.API_BODY_TOO_LARGE_CHUNKED.format(limit=limit)
        return api.create_response(request, error_body(message), status=413)

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return api.create_response(request, error_body(BAD_REQUEST), status=400)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body(NOT_FOUND), status=404)
