"""A request whose body arrives cut short (the connection lost mid-upload) is refused with a
pt-BR 400 before anything is stored: no ticket, no entry, no file, no e-mail. Measured before:
20 of 20 openings and 5 of 5 replies cut halfway through a file were saved as complete, the
file silently dropped, and their e-mails sent.

The requests go through the test client wrapped like the WSGI application (config/wsgi.py)
with a wsgi.input shorter than its Content-Length: what a WSGI server hands Django when the
client's connection closes early (tests/test_faults.py does it through gunicorn)."""

import io
from pathlib import Path

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from servicedesk.catalog.tests.factories import SubjectFactory
from servicedesk.core.bodies import INCOMPLETE_BODY, complete_bodies
from servicedesk.outbox.models import Event
from servicedesk.tickets.models import Attachment, Ticket, TimelineEntry
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import PDF_BYTES, PNG_BYTES, TicketFactory, upload

pytestmark = pytest.mark.django_db

BIG_PDF = PDF_BYTES + b"0" * 300_000  # past Django's in-memory limit: a temporary file


@pytest.fixture
def wsgi_client(client):
    client.handler = complete_bodies(client.handler)
    return client


def post_cut(client, url, data, *, keep: float = 0.5, declared_full: bool = True, **extra):
    """POST `data` as multipart, but only the first `keep` of the body arrives. With
    `declared_full` the Content-Length announces the whole body (a connection lost); without,
    it matches the bytes sent (a multipart that simply ends early)."""
    body = encode_multipart(BOUNDARY, data)
    sent = body[: int(len(body) * keep)]
    return client.generic(
        "POST",
        url,
        data=sent,
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body) if declared_full else len(sent)),
        **{"wsgi.input": io.BytesIO(sent)},
        **extra,
    )


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def subject(agent):
    return SubjectFactory(support_group=agent.support_groups.get())


def open_url(subject):
    return reverse("catalog:subject", args=[subject.service.slug, subject.pk])


@pytest.mark.parametrize("declared_full", [True, False], ids=["connection-lost", "part-ends-early"])
def test_a_cut_upload_opens_no_ticket(wsgi_client, settings, requester, subject, declared_full):
    wsgi_client.force_login(requester)
    data = {
        "nota": "ver anexos",
        "files": [upload("oficio.pdf", BIG_PDF), upload("a.pdf", BIG_PDF)],
    }
    response = post_cut(wsgi_client, open_url(subject), data, declared_full=declared_full)
    assert response.status_code == 400
    assert INCOMPLETE_BODY in response.content.decode()
    assert not Ticket.objects.exists()
    assert not TimelineEntry.objects.exists()
    assert not Attachment.objects.exists()
    assert not Event.objects.exists()  # nobody is e-mailed about it
    assert stored_files(settings) == []


def test_the_same_upload_arriving_whole_opens_the_ticket(wsgi_client, settings, requester, subject):
    wsgi_client.force_login(requester)
    data = {"nota": "ver anexo", "files": [upload("oficio.pdf", BIG_PDF)]}
    response = wsgi_client.post(open_url(subject), data)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.attachments.get().size == len(BIG_PDF)
    assert len(stored_files(settings)) == 1


@pytest.fixture
def ticket(requester, agent):
    ticket = TicketFactory(requester=requester, status=Status.ASSIGNED, assigned_agent=agent)
    ticket.subject.support_group.members.add(agent)
    return ticket


@pytest.mark.parametrize(
    ("url_name", "prepare"),
    [("tickets:reply", None), ("tickets:approve", "solution"), ("tickets:refuse", "solution")],
)
def test_a_cut_reply_or_decision_leaves_nothing(
    wsgi_client, settings, requester, agent, ticket, url_name, prepare
):
    if prepare == "solution":
        from servicedesk.tickets.services.solutions import solution_propose

        solution_propose(actor=agent, ticket=ticket, body="Feito.", body_format="text")
    entries = ticket.entries.count()
    events = Event.objects.count()
    wsgi_client.force_login(requester)
    data = {"body": "Segue o ofício.", "body_format": "text", "files": [upload("o.pdf", BIG_PDF)]}
    response = post_cut(wsgi_client, reverse(url_name, args=[ticket.number]), data)
    assert response.status_code == 400
    assert ticket.entries.count() == entries
    assert Event.objects.count() == events
    assert stored_files(settings) == []
    ticket.refresh_from_db()
    assert ticket.status == (Status.TO_VALIDATE if prepare else Status.ASSIGNED)


def test_a_cut_desk_action_leaves_nothing(wsgi_client, settings, agent, ticket):
    wsgi_client.force_login(agent)
    entries = ticket.entries.count()
    data = {
        "responder-body": "Veja o anexo.",
        "responder-body_format": "text",
        "responder-files": [upload("passo-a-passo.pdf", BIG_PDF)],
    }
    url = reverse("desk:action", args=[ticket.number, "responder"])
    assert post_cut(wsgi_client, url, data).status_code == 400
    assert ticket.entries.count() == entries
    assert stored_files(settings) == []


def test_a_cut_inline_image_is_refused_in_json(wsgi_client, settings, requester, ticket):
    wsgi_client.force_login(requester)
    data = {"image": upload("print.png", PNG_BYTES + b"0" * 100_000, "image/png")}
    response = post_cut(
        wsgi_client,
        reverse("tickets:inline_image", args=[ticket.number]),
        data,
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == INCOMPLETE_BODY
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_a_cut_plain_form_is_refused_too(wsgi_client, requester, ticket):
    wsgi_client.force_login(requester)
    body = b"body=" + b"Uma+mensagem+longa+" * 200 + b"&body_format=text"
    sent = body[: len(body) // 2]
    response = wsgi_client.generic(
        "POST",
        reverse("tickets:reply", args=[ticket.number]),
        data=sent,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": io.BytesIO(sent)},
    )
    assert response.status_code == 400
    assert ticket.entries.count() == 1
