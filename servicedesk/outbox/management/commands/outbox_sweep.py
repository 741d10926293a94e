"""Re-queue the outbox's late events once (for cron, when Celery beat is not used)."""

from django.core.management.base import BaseCommand

from servicedesk.outbox.services import sweep


class Command(BaseCommand):
    help = (
        "Reenfileira os eventos da caixa de saída que o broker não recebeu ou que nenhum "
        "worker concluiu a tempo, e apaga os concluídos há mais de PORTAL_OUTBOX_KEEP_DAYS "
        "dias. Sem Redis, entrega os pendentes na hora. Pode ser executado várias vezes, "
        "inclusive ao mesmo tempo."
    )

    def handle(self, *args, **options):
        report = sweep()
        self.stdout.write(
            f"{report.requeued} evento(s) reenfileirado(s), {report.not_queued} aguardando o "
            f"broker, {report.purged} evento(s) antigo(s) apagado(s)."
        )
