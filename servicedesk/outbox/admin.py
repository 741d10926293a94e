"""The outbox for supervisors: what is pending, what failed and why, and "reenviar"."""

from django.contrib import admin, messages
from django.db.models import Count, Q

from .models import Delivery, DeliveryStatus, Event, EventStatus
from .services import resend

RESENT = "{count} entrega(s) com falha reenfileirada(s)."
NOTHING_TO_RESEND = "Nenhuma entrega com falha nos eventos escolhidos."


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("recipient", "status", "attempts", "finished_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "topic",
        "status",
        "created_at",
        "due_at",
        "sent",
        "pending",
        "failed",
        "runs",
    )
    list_filter = ("status", "topic")
    search_fields = ("topic",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "topic",
        "data",
        "status",
        "created_at",
        "due_at",
        "runs",
        "finished_at",
        "last_error",
    )
    inlines = [DeliveryInline]
    actions = ["resend_failed"]
    list_per_page = 50

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_sent=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
                n_pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
                n_failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            )
        )

    @admin.display(description="enviadas", ordering="n_sent")
    def sent(self, event):
        return event.n_sent

    @admin.display(description="pendentes", ordering="n_pending")
    def pending(self, event):
        return event.n_pending

    @admin.display(description="com falha", ordering="n_failed")
    def failed(self, event):
        return event.n_failed

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Reenviar as entregas com falha", permissions=["view"])
    def resend_failed(self, request, queryset):
        count = resend(queryset.filter(status=EventStatus.FAILED))
        if count:
            self.message_user(request, RESENT.format(count=count), messages.SUCCESS)
        else:
            self.message_user(request, NOTHING_TO_RESEND, messages.WARNING)
