"""A storage write that fails halfway (disk full) leaves no file behind: measured before, the
transaction rolled back but the partial file stayed on disk. The user gets a pt-BR message
on the form, never a 500, and nothing of the submission is saved."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from servicedesk.catalog.tests.factories import SubjectFactory
from servicedesk.core.errors import ApplicationError
from servicedesk.outbox.models import Event
from servicedesk.tickets.models import Attachment, Ticket
from servicedesk.tickets.services.attachments import STORAGE_FAILED
from servicedesk.tickets.services.tickets import ticket_open
from servicedesk.tickets.tests.factories import PDF_BYTES, upload
from servicedesk.tickets.uploads import check_uploads

pytestmark = pytest.mark.django_db

BIG_PDF = PDF_BYTES + b"0" * 300_000


def files_under(root) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


@pytest.fixture
def tiny_disk(settings):
    """MEDIA_ROOT on a 128 KiB tmpfs: a real "No space left on device" halfway through a
    write. Mounting needs root (the CI and the development machines run as root)."""
    mount_point = tempfile.mkdtemp(prefix="portal-tiny-disk-")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", mount_point],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(mount_point, ignore_errors=True)
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    settings.MEDIA_ROOT = mount_point
    yield Path(mount_point)
    subprocess.run(["umount", mount_point], check=False)
    shutil.rmtree(mount_point, ignore_errors=True)


def test_a_full_disk_leaves_no_partial_file_and_no_ticket(client, requester, tiny_disk):
    subject = SubjectFactory()
    client.force_login(requester)
    small, big = upload("pequeno.pdf"), upload("grande.pdf", BIG_PDF)
    response = client.post(
        reverse("catalog:subject", args=[subject.service.slug, subject.pk]),
        {"nota": "anexos", "files": [small, big]},
    )
    assert response.status_code == 400
    assert STORAGE_FAILED in response.content.decode()
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert not Event.objects.exists()
    # Neither the first file, stored whole, nor the second, cut by the full disk, stays.
    assert files_under(tiny_disk) == []


class HalfWritingStorage(FileSystemStorage):
    """Writes half of each file, then fails like a full disk would."""

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.read()
        path.write_bytes(data[: len(data) // 2])
        raise OSError(28, "No space left on device")


def test_a_storage_that_fails_mid_write_leaves_no_file(settings, requester, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.HalfWritingStorage"},
    }
    subject = SubjectFactory()
    with pytest.raises(ApplicationError) as refused:
        ticket_open(
            actor=requester, subject=subject, answers=[], files=check_uploads([upload("a.pdf")])
        )
    assert refused.value.message == STORAGE_FAILED
    assert files_under(settings.MEDIA_ROOT) == []
    assert not Ticket.objects.exists()
