"""Bulk import of SIOP accounts from a JSON Lines file, one record per line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError as PydanticValidationError

from servicedesk.accounts.schemas import SiopUserLine
from servicedesk.accounts.services import user_sync_from_siop
from servicedesk.api.errors import field_errors_from_pydantic
from servicedesk.core.errors import ApplicationError


def _describe(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())


class Command(BaseCommand):
    help = (
        "Importa contas do SIOP de um arquivo JSON Lines (um objeto por linha com cpf, name, "
        "email, active e password ou password_hash). Linhas inválidas são relatadas e puladas."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="arquivo .jsonl")

    def handle(self, *args, path: Path, **options):
        try:
            lines = path.open(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Não foi possível abrir {path}: {exc.strerror}") from exc
        created = updated = 0
        rejected: list[tuple[int, str]] = []
        with lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    record = SiopUserLine.model_validate_json(line)
                    result = user_sync_from_siop(**record.dict())
                except PydanticValidationError as exc:
                    rejected.append((number, _describe(field_errors_from_pydantic(exc.errors()))))
                    continue
                except ApplicationError as exc:
                    rejected.append(
                        (number, f"{exc.field}: {exc.message}" if exc.field else exc.message)
                    )
                    continue
                if result.created:
                    created += 1
                else:
                    updated += 1

        for number, reason in rejected:
            self.stderr.write(f"linha {number}: rejeitada — {reason}")
        summary = f"{created} criados, {updated} atualizados, {len(rejected)} rejeitados."
        self.stdout.write(
            self.style.SUCCESS(summary) if not rejected else self.style.WARNING(summary)
        )
