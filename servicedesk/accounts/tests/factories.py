import factory
from django.contrib.auth.hashers import make_password

from servicedesk.accounts.cpf import complete_cpf
from servicedesk.accounts.models import User, UserOrigin

# Hashed once: Argon2 is deliberately slow, and most tests only need a known password.
_DEFAULT_PASSWORD_HASH = make_password("senha-de-teste-123")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    cpf = factory.Sequence(lambda n: complete_cpf(f"{200_000_000 + n * 7:09d}"))
    full_name = factory.Sequence(lambda n: f"Pessoa de Teste {n}")
    email = factory.LazyAttribute(lambda user: f"pessoa{user.cpf}@example.gov.br")
    origin = UserOrigin.SIOP
    is_active = True
    password = _DEFAULT_PASSWORD_HASH
