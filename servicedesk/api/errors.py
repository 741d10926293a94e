"""Uniform pt-BR error bodies for the API: 400 with field errors, never the submitted values."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser

from servicedesk.core.errors import ApplicationError

INVALID_DATA = "Dados inválidos."
NOT_FOUND = "Não encontrado."
_BODY = "body"

BODY_NOT_JSON = "O conteúdo não é um JSON válido."
BODY_NOT_OBJECT = "O conteúdo deve ser um objeto JSON."

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


class ObjectBodyParser(Parser):
    """JSON bodies must be objects: a list or a bare string is refused before validation."""

    def parse_body(self, request: HttpRequest) -> dict:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise BodyParseError(BODY_NOT_JSON) from None
        if not isinstance(data, dict):
            raise BodyParseError(BODY_NOT_OBJECT)
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
            message = str(exc.__cause__)
            return api.create_response(
                request, error_body(INVALID_DATA, {"__all__": [message]}), status=400
            )
        return api.create_response(request, error_body(exc.message), status=exc.status_code)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body(NOT_FOUND), status=404)
