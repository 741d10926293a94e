"""Create (or reset) the demo accounts that the README and demonstrations rely on."""

from django.core.management.base import BaseCommand
from django.db import transaction

from servicedesk.accounts.cpf import format_cpf
from servicedesk.accounts.models import User, UserOrigin
from servicedesk.catalog.demo import seed_catalog
from servicedesk.catalog.models import Service, Subject

# role, CPF, password, name, e-mail, is_staff/is_superuser
DEMO_ACCOUNTS = [
    (
        "requerente",
        "52998224725",
        "demo-requerente",
        "Maria Requerente da Silva",
        "maria.requerente@example.gov.br",
        False,
    ),
    (
        "segundo requerente",
        "11144477735",
        "demo-requerente2",
        "João Requerente Souza",
        "joao.requerente@example.gov.br",
        False,
    ),
    (
        "técnico",
        "39053344705",
        "demo-tecnico",
        "Tiago Técnico Oliveira",
        "tiago.tecnico@example.gov.br",
        False,
    ),
    (
        "técnico de infraestrutura",
        "45678912364",
        "demo-infra",
        "Irene Infraestrutura Costa",
        "irene.infra@example.gov.br",
        False,
    ),
    (
        "supervisor e administrador",
        "98765432100",
        "demo-supervisor",
        "Sara Supervisora Lima",
        "sara.supervisora@example.gov.br",
        True,
    ),
]


class Command(BaseCommand):
    help = "Cria ou redefine os dados de demonstração (idempotente)."

    @transaction.atomic
    def handle(self, *args, **options):
        rows = []
        for role, cpf, password, name, email, is_admin in DEMO_ACCOUNTS:
            user = User.objects.filter(cpf=cpf).first() or User(cpf=cpf)
            user.full_name = name
            user.email = email
            user.origin = UserOrigin.LOCAL
            user.is_active = True
            user.is_staff = user.is_superuser = user.is_supervisor = is_admin
            if not user.check_password(password):
                user.set_password(password)
            user.save()
            rows.append((role, format_cpf(cpf), password))

        self.stdout.write(self.style.SUCCESS("Dados de demonstração prontos. Contas:"))
        width = max(len(role) for role, _, _ in rows)
        for role, cpf, password in rows:
            self.stdout.write(f"  {role.ljust(width)}  CPF {cpf}  senha {password}")

        # After the accounts: each demo agent joins a support group of the catalog.
        seed_catalog()
        self.stdout.write(
            f"Catálogo de demonstração: {Service.objects.count()} cards, "
            f"{Subject.objects.count()} assuntos."
        )
