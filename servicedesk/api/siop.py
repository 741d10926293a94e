"""SIOP account sync: `PUT /api/v1/siop/users/<cpf>`, signed with a shared secret."""

import hashlib
import hmac
import time

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import AuthenticationError

from servicedesk.accounts.schemas import SiopUserIn, UserOut
from servicedesk.accounts.services import user_sync_from_siop

SIGNATURE_MISSING = "Assinatura ausente: envie os cabeçalhos X-Siop-Timestamp e X-Siop-Signature."
TIMESTAMP_INVALID = "X-Siop-Timestamp deve ser um horário Unix em segundos."
TIMESTAMP_EXPIRED = "Requisição expirada: o horário de X-Siop-Timestamp está fora da janela aceita."
SIGNATURE_INVALID = "Assinatura inválida."


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `<timestamp>.<raw body>`: what SIOP sends in X-Siop-Signature."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def siop_signature(request: HttpRequest) -> bool:
    secret = settings.PORTAL_SIOP_SYNC_SECRET
    if not secret:
        raise Http404  # the endpoint does not exist until a secret is configured
    timestamp = request.headers.get("X-Siop-Timestamp", "").strip()
    signature = request.headers.get("X-Siop-Signature", "").strip().lower()
    if not timestamp or not signature:
        raise AuthenticationError(message=SIGNATURE_MISSING)
    if not timestamp.isascii() or not timestamp.isdigit():
        raise AuthenticationError(message=TIMESTAMP_INVALID)
    if abs(time.time() - int(timestamp)) > settings.PORTAL_SIOP_SYNC_MAX_SKEW_SECONDS:
        raise AuthenticationError(message=TIMESTAMP_EXPIRED)
    if not hmac.compare_digest(sign(secret, timestamp, request.body), signature):
        raise AuthenticationError(message=SIGNATURE_INVALID)
    return True


router = Router(tags=["SIOP"], auth=siop_signature)


@router.put(
    "/users/{cpf}",
    response={200: UserOut, 201: UserOut, 400: dict, 401: dict, 404: dict},
    summary="Cria ou atualiza a conta espelhada de um usuário do SIOP",
)
def put_user(request: HttpRequest, cpf: str, payload: SiopUserIn):
    result = user_sync_from_siop(cpf=cpf, **payload.dict())
    return Status(201 if result.created else 200, result.user)
