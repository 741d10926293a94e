"""Images pasted into the editor (issue 15, item 6): each side uploads through its own path,
each user holds a limited number of images of messages not yet sent, and those never sent
are deleted by the periodic job after a day."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from servicedesk.catalog.tests.factories import SupportGroupFactory
from servicedesk.desk.views.ticket import TEAM_ONLY
from servicedesk.tickets.models import Attachment
from servicedesk.tickets.services.attachments import (
    INLINE_PENDING_TOO_BIG,
    INLINE_PENDING_TOO_MANY,
    inline_image_add,
    inline_images_purge,
)
from servicedesk.tickets.services.timeline import ticket_reply
from servicedesk.tickets.tests.factories import PNG_BYTES, TicketFactory, upload
from servicedesk.tickets.views.inline_images import REQUESTER_ONLY

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(requester, agent):
    ticket = TicketFactory(requester=requester)
    group = agent.support_groups.get()
    group.services.add(ticket.service)
    return ticket


def requester_path(ticket):
    return reverse("tickets:inline_image", args=[ticket.number])


def desk_path(ticket):
    return reverse("desk:inline_image", args=[ticket.number])


def png(name="print.png"):
    return upload(name, PNG_BYTES)


class TestPaths:
    def test_the_requester_uploads_through_the_ticket_page(self, client, requester, ticket):
        client.force_login(requester)
        response = client.post(requester_path(ticket), {"image": png()})
        assert response.status_code == 201
        assert response.json()["url"].startswith(f"/chamados/{ticket.number}/anexos/")

    def test_an_agent_is_refused_on_the_requesters_path(self, client, agent, ticket):
        client.force_login(agent)
        response = client.post(requester_path(ticket), {"image": png()})
        assert response.status_code == 403
        assert response.json() == {"error": REQUESTER_ONLY}
        assert not Attachment.objects.exists()

    def test_agents_and_supervisors_upload_through_the_desk(
        self, client, agent, supervisor, ticket
    ):
        for user in (agent, supervisor):
            client.force_login(user)
            response = client.post(desk_path(ticket), {"image": png()})
            assert response.status_code == 201, response.content
        assert Attachment.objects.filter(is_inline=True, entry__isnull=True).count() == 2

    def test_the_desk_path_refuses_requesters(self, client, requester, ticket):
        client.force_login(requester)
        assert client.post(desk_path(ticket), {"image": png()}).status_code == 403
        assert not Attachment.objects.exists()

    def test_an_agents_own_ticket_goes_through_the_requesters_path(self, client, agent):
        own = TicketFactory(requester=agent)
        client.force_login(agent)
        response = client.post(desk_path(own), {"image": png()})
        assert response.status_code == 403
        assert response.json() == {"error": TEAM_ONLY}
        assert client.post(requester_path(own), {"image": png()}).status_code == 201

    def test_an_agent_outside_the_tickets_groups_gets_404(self, client, ticket):
        stranger = SupportGroupFactory(name="Outra equipe").members.create(
            cpf="11144477735", full_name="Outro Técnico"
        )
        client.force_login(stranger)
        assert client.post(desk_path(ticket), {"image": png()}).status_code == 404

    def test_each_editor_posts_to_its_own_path(self, client, requester, agent, ticket):
        client.force_login(requester)
        page = client.get(ticket.get_absolute_url()).content.decode()
        assert f'data-upload-url="{requester_path(ticket)}"' in page
        client.force_login(agent)
        page = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
        assert f'data-upload-url="{desk_path(ticket)}"' in page
        assert f'"{requester_path(ticket)}"' not in page


class TestQuota:
    def test_a_user_holds_a_limited_number_of_unsent_images(
        self, client, requester, ticket, settings
    ):
        settings.PORTAL_INLINE_IMAGE_PENDING_MAX = 3
        client.force_login(requester)
        for _ in range(3):
            assert client.post(requester_path(ticket), {"image": png()}).status_code == 201
        response = client.post(requester_path(ticket), {"image": png()})
        assert response.status_code == 400
        assert response.json() == {
            "error": INLINE_PENDING_TOO_MANY.format(count=3, limit=3, hours=24)
        }
        assert Attachment.objects.count() == 3

    def test_images_of_a_sent_message_no_longer_count(self, requester, ticket, settings):
        settings.PORTAL_INLINE_IMAGE_PENDING_MAX = 1
        image = inline_image_add(actor=requester, ticket=ticket, upload=png())
        body = f'<p>Veja:</p><p><img src="{image.get_absolute_url()}"></p>'
        ticket_reply(actor=requester, ticket=ticket, body=body, body_format="html")
        image.refresh_from_db()
        assert image.entry_id is not None
        inline_image_add(actor=requester, ticket=ticket, upload=png())

    def test_and_a_limited_size(self, client, requester, ticket, settings):
        settings.PORTAL_INLINE_IMAGE_PENDING_MAX_MB = 1
        inline_image_add(actor=requester, ticket=ticket, upload=png())
        Attachment.objects.update(size=1024 * 1024)
        client.force_login(requester)
        response = client.post(requester_path(ticket), {"image": png()})
        assert response.status_code == 400
        assert response.json() == {"error": INLINE_PENDING_TOO_BIG.format(limit=1, hours=24)}

    def test_the_quota_is_per_user(self, requester, agent, ticket, settings):
        settings.PORTAL_INLINE_IMAGE_PENDING_MAX = 1
        inline_image_add(actor=requester, ticket=ticket, upload=png())
        inline_image_add(actor=agent, ticket=ticket, upload=png())


class TestPurge:
    def _image(self, user, ticket, age: timedelta) -> Attachment:
        image = inline_image_add(actor=user, ticket=ticket, upload=png())
        Attachment.objects.filter(pk=image.pk).update(created_at=timezone.now() - age)
        return image

    def test_images_of_messages_never_sent_go_after_a_day(
        self, requester, agent, ticket, django_capture_on_commit_callbacks
    ):
        old = self._image(requester, ticket, timedelta(hours=25))
        recent = self._image(agent, ticket, timedelta(hours=23))
        sent = self._image(requester, ticket, timedelta(days=3))
        body = f'<p><img src="{sent.get_absolute_url()}"></p>'
        ticket_reply(actor=requester, ticket=ticket, body=body, body_format="html")

        with django_capture_on_commit_callbacks(execute=True):
            assert inline_images_purge() == 1

        assert set(Attachment.objects.values_list("pk", flat=True)) == {recent.pk, sent.pk}
        assert not default_storage.exists(old.file.name)
        assert default_storage.exists(recent.file.name)
        assert default_storage.exists(sent.file.name)
        assert inline_images_purge() == 0  # running it again is harmless

    def test_the_command_does_the_same(self, requester, ticket, capsys):
        old = self._image(requester, ticket, timedelta(days=2))
        call_command("purge_unsent_images")
        assert not Attachment.objects.filter(pk=old.pk).exists()
        assert "1 imagem(ns)" in capsys.readouterr().out

    def test_the_periodic_job_runs_it(self):
        schedule = settings.CELERY_BEAT_SCHEDULE.values()
        assert any(job["task"] == "tickets.inline_images_purge" for job in schedule)
        from servicedesk.tickets.tasks import inline_images_purge_task

        assert inline_images_purge_task.name == "tickets.inline_images_purge"
