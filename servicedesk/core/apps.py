"""Pieces every other app leans on: base model, errors, system checks, the home page."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "servicedesk.core"
    label = "core"
    verbose_name = "Núcleo"

    def ready(self) -> None:
        from django.http import multipartparser

        # Imported for what they register: the system checks; the folded_contains lookup
        # and SQLite's search functions.
        from . import checks, search  # noqa: F401

        # Django reads each part's headers of a multipart upload in at most 1,024 bytes: a
        # file name of a few hundred accented characters (255 is every OS's limit, 3 bytes
        # each in UTF-8) made the whole form unreadable, answered with a bare 400 and nothing
        # saved or said. With room for any real name, the upload rules speak instead, on the
        # file field (tickets/uploads.py). Read at each parse, so setting it here holds.
        multipartparser.MAX_TOTAL_HEADER_SIZE = max(multipartparser.MAX_TOTAL_HEADER_SIZE, 8192)
