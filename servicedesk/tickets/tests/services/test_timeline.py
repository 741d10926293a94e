from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.models import Attachment, EntryKind, Ticket, TimelineEntry
from servicedesk.tickets.services.attachments import inline_image_add
from servicedesk.tickets.services.timeline import MESSAGE_EMPTY, ticket_reply
from servicedesk.tickets.status import Status, WaitingOn
from servicedesk.tickets.tests.factories import PNG_BYTES, TicketFactory, upload
from servicedesk.tickets.uploads import NOT_AN_IMAGE, check_uploads

pytestmark = pytest.mark.django_db


def reply(ticket, actor=None, body="<p>Segue a informação.</p>", body_format="html", files=()):
    return ticket_reply(
        actor=actor or ticket.requester,
        ticket=ticket,
        body=body,
        body_format=body_format,
        files=list(files),
    )


def test_a_comment_keeps_the_status_and_restarts_the_clock():
    ticket = TicketFactory(status=Status.ASSIGNED)
    Ticket.objects.filter(pk=ticket.pk).update(
        last_interaction_at=timezone.now() - timedelta(days=3)
    )
    entry = reply(ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert timezone.now() - ticket.last_interaction_at < timedelta(seconds=5)
    assert (entry.kind, entry.actor, entry.is_private) == (
        EntryKind.MESSAGE,
        ticket.requester,
        False,
    )
    assert entry.body_text == "Segue a informação."
    assert "to" not in entry.payload
    assert TimelineEntry.objects.filter(ticket=ticket).count() == 2


def test_answering_a_request_for_information_goes_back_to_the_agent():
    agent = UserFactory()
    ticket = TicketFactory(
        status=Status.WAITING, waiting_on=WaitingOn.REQUESTER, assigned_agent=agent
    )
    entry = reply(ticket)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.waiting_on) == (Status.ASSIGNED, "")
    # One action, one entry: the message records the status change it caused.
    assert entry.payload["from"] == "waiting" and entry.payload["to"] == "assigned"
    assert TimelineEntry.objects.filter(ticket=ticket).count() == 2  # opening + reply


def test_answering_without_an_assigned_agent_goes_back_to_new():
    ticket = TicketFactory(status=Status.WAITING, waiting_on=WaitingOn.REQUESTER)
    reply(ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_comment_while_waiting_on_a_third_party_changes_nothing():
    ticket = TicketFactory(status=Status.WAITING, waiting_on=WaitingOn.THIRD_PARTY)
    reply(ticket)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.waiting_on) == (Status.WAITING, WaitingOn.THIRD_PARTY)


@pytest.mark.parametrize(
    ("status", "label"), [(Status.CLOSED, "Fechado"), (Status.RESOLVED, "Resolvido")]
)
def test_closed_and_resolved_tickets_refuse_messages(status, label):
    ticket = TicketFactory(status=status)
    with pytest.raises(ApplicationError) as refused:
        reply(ticket)
    assert (
        refused.value.message == f"Esta ação não é permitida para um chamado com status “{label}”."
    )
    assert not TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.MESSAGE).exists()


def test_someone_else_cannot_post_on_the_ticket():
    ticket = TicketFactory()
    with pytest.raises(ApplicationError):
        reply(ticket, actor=UserFactory())


@pytest.mark.parametrize(
    ("body", "body_format"),
    [
        ("", "html"),
        ("<p><br></p>", "html"),
        ("<p>   </p><script>x</script>", "html"),
        ("  \n ", "text"),
    ],
)
def test_empty_messages_are_refused(body, body_format):
    ticket = TicketFactory()
    with pytest.raises(ApplicationError) as refused:
        reply(ticket, body=body, body_format=body_format)
    assert refused.value.message == MESSAGE_EMPTY
    assert refused.value.field == "body"


def test_plain_text_bodies_become_escaped_paragraphs():
    entry = reply(TicketFactory(), body="Olá <b>equipe</b>\nlinha 2", body_format="text")
    assert entry.body_html == "<p>Olá &lt;b&gt;equipe&lt;/b&gt;<br>linha 2</p>"


def test_files_and_own_pasted_images_are_linked_to_the_message():
    ticket = TicketFactory()
    mine = inline_image_add(
        actor=ticket.requester, ticket=ticket, upload=upload("a.png", PNG_BYTES)
    )
    body = f'<p>Veja:</p><p><img src="{mine.get_absolute_url()}"></p>'
    files = check_uploads([upload("oficio.pdf")])
    entry = reply(ticket, body=body, files=files)
    assert set(entry.attachments.values_list("original_name", "is_inline")) == {
        ("a.png", True),
        ("oficio.pdf", False),
    }
    assert entry.body_html == body


def test_an_image_pasted_by_someone_else_is_not_taken_over():
    ticket = TicketFactory()
    other = UserFactory()
    theirs = inline_image_add(actor=other, ticket=ticket, upload=upload("b.png", PNG_BYTES))
    reply(ticket, body=f'<p>x</p><p><img src="{theirs.get_absolute_url()}"></p>')
    theirs.refresh_from_db()
    assert theirs.entry is None


def test_inline_images_must_be_images():
    ticket = TicketFactory()
    with pytest.raises(ApplicationError) as refused:
        inline_image_add(actor=ticket.requester, ticket=ticket, upload=upload("oficio.pdf"))
    assert refused.value.message == NOT_AN_IMAGE.format(name="oficio.pdf")
    fake = SimpleUploadedFile("falsa.png", b"<html>", content_type="image/png")
    with pytest.raises(ApplicationError):
        inline_image_add(actor=ticket.requester, ticket=ticket, upload=fake)
    assert not Attachment.objects.exists()
