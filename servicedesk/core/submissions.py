"""One-time submission tokens: each rendering of a form that creates something creates it once.

A double click without JavaScript, a browser's resend or a retry after a slow upload sends
the same form twice. Each rendering of such a form carries a token of its own (FIELD, a
random key signed for the user and the address the form posts to: generated without any
query). The service that does the work claims the key first thing inside its transaction by
inserting a Submission row (a unique constraint, never a check-then-insert), and records
what it produced on that row. A repeat of the same key fails that insert, waits for the
first request's transaction if it is still running, and answers with the first result: the
same ticket, the same entry, the same redirect, no error and no second e-mail.

A form that comes back with errors shows the same token again (nothing was claimed: the
failed transaction took its row away), so the corrected form is still submitted once. A
request without a token (a script, a page rendered before this existed) is handled as
before, once per request. The later API's Idempotency-Key header is meant to use the same
claim with a scope of its client's.

Usage in a service (keyword-only `submission=`, `None` when there is no token):

    with transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        ...
        return claim.record(entry)
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .errors import ApplicationError
from .models import Submission

# The hidden field every creating form carries.
FIELD = "envio"

SUBMISSION_EXPIRED = (
    "Este formulário ficou aberto por mais de {hours} horas e expirou. Confira os dados e envie "
    "de novo."
)
SUBMISSION_INVALID = (
    "Não foi possível confirmar este envio (o formulário não é desta página ou desta sessão). "
    "Confira os dados e envie de novo."
)
SUBMISSION_WITHOUT_RESULT = "Este formulário já foi enviado."
SUBMISSION_REUSED = (
    "Este formulário já foi enviado uma vez, com outro conteúdo (a página pode ter sido "
    "reaberta pelo botão Voltar). Nada foi perdido: confira os dados e envie de novo."
)

_SALT = "servicedesk.core.submissions"


@dataclass(frozen=True)
class SubmissionKey:
    """Who submitted (`scope`), their one-time `key`, where they submitted it (`action`)
    and a digest of what they submitted (`fingerprint`)."""

    scope: str
    key: str
    action: str
    fingerprint: str = ""


def user_scope(user) -> str:
    return f"user:{user.pk}"


def _signer(user, action: str) -> TimestampSigner:
    # Signed for this user and this form's address: another user's token, or a token of
    # another form, does not verify.
    return TimestampSigner(salt=f"{_SALT}:{user.pk}:{action}")


def _max_age() -> timedelta:
    return timedelta(hours=settings.PORTAL_SUBMISSION_HOURS)


def submission_token(*, user, action: str) -> str:
    """A new token for one rendering of the form that `user` posts to `action` (the form's
    address, as request.path will read it). No database query."""
    return _signer(user, action).sign(secrets.token_urlsafe(16))


def _read(token: str, *, user, action: str) -> str:
    """The key inside a token, or ApplicationError (pt-BR) if it is expired or not this
    user's token for this action."""
    try:
        return _signer(user, action).unsign(token, max_age=_max_age())
    except SignatureExpired:
        message = SUBMISSION_EXPIRED.format(hours=settings.PORTAL_SUBMISSION_HOURS)
        raise ApplicationError(message, code="submission_expired") from None
    except BadSignature:
        raise ApplicationError(SUBMISSION_INVALID, code="submission_invalid") from None


_NOT_CONTENT = frozenset({FIELD, "csrfmiddlewaretoken"})


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the posted fields (but the tokens) and files (names, sizes and bytes): the
    same for a repeat of a request, different for a form reused with other content. The
    files are read once more here (check_uploads reads them too): a few milliseconds per
    megabyte, for the guarantee that a different file is never taken for a repeat."""
    digest = hashlib.sha256()
    fields = sorted(
        (name, values) for name, values in request.POST.lists() if name not in _NOT_CONTENT
    )
    digest.update(json.dumps(fields, ensure_ascii=False).encode())
    for name, uploads in sorted(request.FILES.lists()):
        for upload in uploads:
            digest.update(json.dumps([name, upload.name, upload.size]).encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def submission_from_request(request: HttpRequest) -> SubmissionKey | None:
    """The key of the form posted in `request`, for the service's `submission=`; None when
    the request carries no token. Raises ApplicationError (pt-BR) for a token that expired
    (after PORTAL_SUBMISSION_HOURS hours) or that is not the user's token for this address:
    views show it like any refusal, with what the user typed and a fresh token."""
    token = request.POST.get(FIELD, "")
    if not token:
        return None
    key = _read(token, user=request.user, action=request.path)
    return SubmissionKey(
        scope=user_scope(request.user),
        key=key,
        action=request.path,
        fingerprint=request_fingerprint(request),
    )


def token_to_render(request: HttpRequest, action: str, form=None) -> str:
    """The token a form shows: the one it was posted with, when it comes back with errors and
    that token is still good and unused (the corrected form must still be one submission),
    else a new one. A form the view built afresh (after a success) gets a new token. Only
    the re-rendering of a refused form asks the database (whether the token was used)."""
    if form is not None and getattr(form, "is_bound", False):
        posted = form.data.get(FIELD, "")
        if posted:
            try:
                key = _read(posted, user=request.user, action=action)
            except ApplicationError:
                pass
            else:
                used = Submission.objects.filter(scope=user_scope(request.user), key=key)
                if not used.exists():
                    return posted
    return submission_token(user=request.user, action=action)


@dataclass
class Claim:
    """A service's hold on a submission key: either this request does the work (`row`, on
    which it records the result) or an earlier one did (`earlier`)."""

    row: Submission | None = None
    earlier: Submission | None = None

    @property
    def repeated(self) -> bool:
        return self.earlier is not None

    def result(self) -> models.Model:
        """What the first submission produced, as the service returned it then."""
        earlier = self.earlier
        # Nothing to show: a service that claimed and recorded nothing, or a result deleted
        # since (an administrator removed the ticket). Still a repeat: refused, not redone.
        if earlier.result_type:
            model = apps.get_model(earlier.result_type)
            found = model._default_manager.filter(pk=earlier.result_id).first()
            if found is not None:
                return found
        raise ApplicationError(SUBMISSION_WITHOUT_RESULT, code="submission_repeated")

    def record(self, result: models.Model) -> models.Model:
        """Note what this submission produced (in the same transaction) and return it."""
        if self.row is not None:
            self.row.result_type = result._meta.label_lower
            self.row.result_id = result.pk
            self.row.save(update_fields=["result_type", "result_id"])
        return result


def submission_claim(key: SubmissionKey | None) -> Claim:
    """Claim `key` for the current transaction: call it first inside the service's
    transaction.atomic(). The INSERT either succeeds (this request does the work; if the
    transaction fails, the claim goes with it and the key can be used again) or fails on
    the unique constraint, inside a savepoint, because an earlier request with the same key
    committed (a concurrent one is waited for by the database), and the earlier result is
    returned through Claim.result(). Raises ApplicationError (pt-BR) if the key was used for
    another action or with another content (a page reused after the browser's back button:
    that is a new submission, and must not be answered with the old result). Without a key
    (None), nothing is claimed and nothing is a repeat."""
    if key is None:
        return Claim()
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("submission_claim() belongs inside the service's transaction")
    try:
        with transaction.atomic():
            row = Submission.objects.create(
                scope=key.scope, key=key.key, action=key.action, fingerprint=key.fingerprint
            )
    except IntegrityError:
        earlier = Submission.objects.get(scope=key.scope, key=key.key)
        if earlier.action != key.action:
            raise ApplicationError(SUBMISSION_INVALID, code="submission_invalid") from None
        if earlier.fingerprint != key.fingerprint:
            raise ApplicationError(SUBMISSION_REUSED, code="submission_reused") from None
        return Claim(earlier=earlier)
    return Claim(row=row)


def submissions_forget_expired(*, now: datetime | None = None) -> int:
    """Delete the records older than PORTAL_SUBMISSION_HOURS hours (run by the periodic job):
    their tokens have expired, so no repeat can ask for them. Returns how many."""
    cutoff = (now or timezone.now()) - _max_age()
    deleted, _ = Submission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
