"""SIOP account sync: `PUT /api/v1/siop/users/<cpf>`, signed with a shared secret.

Signature scheme "v2" (README, "SIOP account sync"): the hex HMAC-SHA256, with the shared
secret, of the timestamp, the method, the path (with the CPF) and the raw body, one per line:

    <timestamp>\\n<METHOD>\\n<path and query>\\n<raw body>

sent as `X-Siop-Signature: v2=<hex>`. Each signature is accepted once: it is remembered in the
shared cache (Redis in production, so every worker sees it) for as long as its timestamp is
inside the window, and a second request carrying it is refused.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import AuthenticationError

from servicedesk.accounts.schemas import SiopUserIn, UserOut
from servicedesk.accounts.services import user_sync_from_siop

SCHEME = "v2"
SIGNATURE_MISSING = "Assinatura ausente: envie os cabeçalhos X-Siop-Timestamp e X-Siop-Signature."
TIMESTAMP_INVALID = "X-Siop-Timestamp deve ser um horário Unix em segundos."
TIMESTAMP_EXPIRED = "Requisição expirada: o horário de X-Siop-Timestamp está fora da janela aceita."
SIGNATURE_INVALID = "Assinatura inválida."
SIGNATURE_OLD_SCHEME = (
    "Esquema de assinatura antigo, não mais aceito. Use o esquema v2: X-Siop-Signature: "
    "v2=<HMAC-SHA256 hexadecimal de “<timestamp>\\n<MÉTODO>\\n<caminho>\\n<corpo>”>, "
    "conforme a documentação da API."
)
SIGNATURE_REUSED = (
    "Assinatura já utilizada: cada requisição deve ser assinada de novo, com o horário atual."
)
_USED_KEY = "siop-sync-signature-used:{}"


def signing_string(timestamp: str, method: str, path: str, body: bytes) -> bytes:
    """The bytes SIOP signs (scheme v2): timestamp, upper-case method, path with the query
    string, and the raw body, joined by a line feed (\\n)."""
    head = f"{timestamp}\n{method.upper()}\n{path}\n"
    return head.encode() + body


def sign(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    """What SIOP sends in X-Siop-Signature: `v2=` and the hex HMAC-SHA256 of signing_string."""
    message = signing_string(timestamp, method, path, body)
    return f"{SCHEME}=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _signature_use_once(signature: str, timestamp: int) -> bool:
    """Remember the signature until its timestamp leaves the window (seconds); False if it was
    already used. cache.add is atomic (SET NX on Redis), so two workers cannot both accept."""
    window = settings.PORTAL_SIOP_SYNC_MAX_SKEW_SECONDS
    remember_for = max(int(timestamp + window - time.time()), 0) + 2
    return cache.add(_USED_KEY.format(signature), 1, timeout=remember_for)


def siop_signature(request: HttpRequest) -> bool:
    """django-ninja auth: a v2 signature of this very request, within the window, never seen.

    Raises Http404 while no secret is configured and AuthenticationError (401, pt-BR message)
    for anything else that is wrong.
    """
    secret = settings.PORTAL_SIOP_SYNC_SECRET
    if not secret:
        raise Http404  # the endpoint does not exist until a secret is configured
    timestamp = request.headers.get("X-Siop-Timestamp", "").strip()
    signature = request.headers.get("X-Siop-Signature", "").strip().lower()
    if not timestamp or not signature:
        raise AuthenticationError(message=SIGNATURE_MISSING)
    if not signature.startswith(f"{SCHEME}="):
        raise AuthenticationError(message=SIGNATURE_OLD_SCHEME)
    if not timestamp.isascii() or not timestamp.isdigit():
        raise AuthenticationError(message=TIMESTAMP_INVALID)
    if abs(time.time() - int(timestamp)) > settings.PORTAL_SIOP_SYNC_MAX_SKEW_SECONDS:
        raise AuthenticationError(message=TIMESTAMP_EXPIRED)
    expected = sign(secret, timestamp, request.method, request.get_full_path(), request.body)
    if not hmac.compare_digest(expected, signature):
        raise AuthenticationError(message=SIGNATURE_INVALID)
    if not _signature_use_once(signature, int(timestamp)):
        raise AuthenticationError(message=SIGNATURE_REUSED)
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
