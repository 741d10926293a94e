"""Delete the images pasted into messages that were never sent (for cron, without Celery beat)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from servicedesk.tickets.services.attachments import inline_images_purge


class Command(BaseCommand):
    help = (
        "Apaga as imagens coladas em mensagens que nunca foram enviadas, depois de "
        "PORTAL_INLINE_IMAGE_PENDING_HOURS horas. Pode ser executado várias vezes, inclusive "
        "ao mesmo tempo."
    )

    def handle(self, *args, **options):
        deleted = inline_images_purge()
        hours = settings.PORTAL_INLINE_IMAGE_PENDING_HOURS
        self.stdout.write(
            f"{deleted} imagem(ns) de mensagens não enviadas há mais de {hours} horas apagada(s)."
        )
