"""Run the automatic transitions once (for cron, when Celery beat is not used), then the
outbox's sweep, so the e-mails they cause go out in the same run."""

from django.core.management.base import BaseCommand

from servicedesk.outbox.services import sweep
from servicedesk.tickets.services.automation import automatic_transitions_run


class Command(BaseCommand):
    help = (
        "Aprova soluções e resolve chamados sem interação há PORTAL_FEEDBACK_DAYS dias, fecha "
        "chamados resolvidos há PORTAL_REOPEN_DAYS dias e envia os lembretes; apaga os "
        "registros de envios de formulários expirados. Pode ser executado várias vezes, "
        "inclusive ao mesmo tempo."
    )

    def handle(self, *args, **options):
        report = automatic_transitions_run()
        self.stdout.write(
            f"{report.reminded} lembrete(s), {report.auto_approved} solução(ões) aprovada(s), "
            f"{report.auto_resolved} chamado(s) resolvido(s), {report.closed} fechado(s), "
            f"{report.submissions_forgotten} registro(s) de envio expirado(s) apagado(s)."
        )
        swept = sweep()
        if swept.requeued or swept.not_queued:
            self.stdout.write(
                f"Caixa de saída: {swept.requeued} evento(s) reenfileirado(s), "
                f"{swept.not_queued} aguardando o broker."
            )
