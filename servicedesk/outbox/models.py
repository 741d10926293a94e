"""An event a domain change must tell the world about, and its delivery to each recipient.

Both are written in the transaction of the change (services.record), so they exist exactly
when the change does; the worker only ever moves them forward."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EventStatus(models.TextChoices):
    PENDING = "pending", "pendente"
    DONE = "done", "concluído"
    FAILED = "failed", "com falha"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "pendente"
    SENT = "sent", "enviada"
    # Nothing to send, for good: no valid address, optional e-mails turned off, an inactive
    # user, an address the server refuses. The reason is in last_error.
    SKIPPED = "skipped", "não enviada"
    FAILED = "failed", "com falha"


class Event(models.Model):
    topic = models.CharField("tópico", max_length=100)
    # What the handler needs to rebuild the message (ids, never model instances).
    data = models.JSONField("dados", default=dict)
    status = models.CharField(
        "situação", max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING
    )
    created_at = models.DateTimeField("criado em", default=timezone.now)
    # When a worker is expected to be on it: the commit, the start of a run, the time of a
    # planned retry. Empty: the broker did not take it. The sweep re-queues pending events
    # whose due_at is empty or older than PORTAL_OUTBOX_STALE_SECONDS.
    due_at = models.DateTimeField("previsto para", null=True, blank=True)
    runs = models.PositiveIntegerField("execuções", default=0)
    last_error = models.TextField("último erro", blank=True)
    finished_at = models.DateTimeField("concluído em", null=True, blank=True)

    class Meta:
        verbose_name = "evento"
        verbose_name_plural = "eventos"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep's question, over the few pending rows only.
            models.Index(
                fields=["due_at"],
                condition=Q(status="pending"),
                name="outbox_event_pending_due",
            ),
            models.Index(fields=["status", "created_at"], name="outbox_event_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class Delivery(models.Model):
    """One recipient of one event: the unit that happens exactly once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinatário",
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        "situação", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("tentativas", default=0)
    last_error = models.TextField("último erro", blank=True)
    finished_at = models.DateTimeField("concluída em", null=True, blank=True)

    class Meta:
        verbose_name = "entrega"
        verbose_name_plural = "entregas"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="outbox_one_per_recipient")
        ]
        indexes = [
            models.Index(
                fields=["status"],
                condition=Q(status__in=["pending", "failed"]),
                name="outbox_delivery_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}"
