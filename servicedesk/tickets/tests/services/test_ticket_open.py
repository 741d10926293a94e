from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage

from servicedesk.catalog.tests.factories import SubjectFactory
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.models import Attachment, EntryKind, Ticket, TimelineEntry
from servicedesk.tickets.services.attachments import STORAGE_FAILED
from servicedesk.tickets.services.tickets import SUBJECT_UNAVAILABLE, ticket_open
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import PDF_BYTES, PNG_BYTES, upload
from servicedesk.tickets.uploads import check_uploads

pytestmark = pytest.mark.django_db

ANSWERS = [{"field": 1, "label": "Descreva", "type": "long_text", "value": "Não consigo salvar."}]


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_opens_a_new_ticket_with_answers_files_and_opening_entry(requester):
    subject = SubjectFactory()
    files = check_uploads([upload("oficio.pdf"), upload("tela.png", PNG_BYTES, "image/png")])
    ticket = ticket_open(actor=requester, subject=subject, answers=ANSWERS, files=files)

    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.waiting_on == ""
    assert ticket.requester == requester
    assert (ticket.service, ticket.subject) == (subject.service, subject)
    assert ticket.assigned_group == subject.support_group and ticket.assigned_agent is None
    assert ticket.answers == ANSWERS
    entry = TimelineEntry.objects.get(ticket=ticket)
    assert entry.kind == EntryKind.OPENED and entry.actor == requester
    assert entry.body_text == "Descreva: Não consigo salvar."
    attachments = list(ticket.attachments.order_by("pk"))
    assert [a.original_name for a in attachments] == ["oficio.pdf", "tela.png"]
    assert all(a.entry == entry and a.uploaded_by == requester for a in attachments)
    assert attachments[0].file.read() == PDF_BYTES
    # Stored under a random name, never the one the user sent.
    assert "oficio" not in attachments[0].file.name
    assert len(stored_files()) == 2


def test_a_storage_failure_on_the_second_file_leaves_nothing_behind(requester, monkeypatch):
    subject = SubjectFactory()
    files = check_uploads([upload("um.pdf"), upload("dois.pdf"), upload("tres.pdf")])
    real_save = FileSystemStorage._save
    calls = {"n": 0}

    def failing_save(self, name, content):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disco cheio")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", failing_save)
    with pytest.raises(ApplicationError) as refused:
        ticket_open(actor=requester, subject=subject, answers=ANSWERS, files=files)
    # The user is told in pt-BR on the form; the storage's error stays in the logs.
    assert refused.value.message == STORAGE_FAILED and refused.value.field == "files"
    assert isinstance(refused.value.__cause__, OSError)

    assert not Ticket.objects.exists()
    assert not TimelineEntry.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize("inactive", ["subject", "service"])
def test_an_inactive_subject_or_card_cannot_receive_tickets(requester, inactive):
    subject = SubjectFactory()
    target = subject if inactive == "subject" else subject.service
    target.is_active = False
    target.save()
    with pytest.raises(ApplicationError) as refused:
        ticket_open(actor=requester, subject=subject, answers=ANSWERS, files=[])
    assert refused.value.message == SUBJECT_UNAVAILABLE
    assert not Ticket.objects.exists()
