"""Abstract models shared by the domain apps, and the record of accepted submissions."""

from django.db import models
from django.utils import timezone


class BaseModel(models.Model):
    created_at = models.DateTimeField("criado em", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        abstract = True


class Submission(models.Model):
    """One accepted submission of a form (or, later, of an API request with an
    Idempotency-Key): the first request with a key claims it inside its own transaction and
    records what it produced; a repeat of the same key finds this row and answers with that
    result instead of doing the work again (core/submissions.py).

    `scope` says whose key it is ("user:<pk>" for forms), so keys of different users never
    meet; `action` is what was submitted (the form's address) and `fingerprint` its content,
    so a key is never honoured for another action or another content. Rows are forgotten
    after PORTAL_SUBMISSION_HOURS, when their tokens have expired anyway."""

    scope = models.CharField("escopo", max_length=64)
    key = models.CharField("chave", max_length=255)
    action = models.CharField("ação", max_length=255)
    # SHA-256 of what was sent (fields and files): a repeat sends the same; a page reused
    # for something else (the browser's back button) does not, and is refused, not merged.
    fingerprint = models.CharField("impressão do conteúdo", max_length=64, blank=True)
    result_type = models.CharField("tipo do resultado", max_length=100, blank=True)
    result_id = models.BigIntegerField("resultado", null=True, blank=True)
    created_at = models.DateTimeField("recebido em", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "envio de formulário"
        verbose_name_plural = "envios de formulários"
        constraints = [
            # The whole point: a second request with the same key can never insert a second
            # row, however close together the two arrive.
            models.UniqueConstraint(fields=["scope", "key"], name="one_submission_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.scope})"
