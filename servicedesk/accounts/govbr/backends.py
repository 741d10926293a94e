"""Authentication backend for gov.br: mozilla-django-oidc's code flow, matched to a CPF account.

The library exchanges the code (HTTP Basic client authentication, PKCE verifier), fetches
the provider's keys and checks the signature and the nonce. What it leaves out is closed here:
the issuer, the audience and the expiry with a small clock leeway, the CPF matching, and the
refusal to create accounts.
"""

import logging

import jwt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from servicedesk.accounts.cpf import mask_cpf
from servicedesk.accounts.models import GovbrTrustLevel, User
from servicedesk.core.errors import ApplicationError

from .claims import ClaimsError, cpf_from_claims, meets_minimum_level, trust_level_from_claims

logger = logging.getLogger(__name__)

NOT_A_SIOP_USER = (
    "O acesso a este portal é exclusivo para os usuários do SIOP, e o seu CPF não corresponde "
    "a um usuário ativo. Se você precisa de acesso, entre em contato com {contact}."
)
LEVEL_TOO_LOW = (
    "Sua conta gov.br está no nível {level}, e este portal exige o nível {minimum} ou superior. "
    "Para aumentar o nível, acesse a sua conta gov.br (contas.acesso.gov.br), escolha "
    "“Aumentar nível da conta” e valide seus dados por uma das opções oferecidas, como o "
    "reconhecimento facial no aplicativo gov.br, o internet banking de um banco credenciado ou "
    "um certificado digital. Depois, entre novamente com o gov.br."
)
LEVEL_UNKNOWN = "não informado"


class GovbrBackend(OIDCAuthenticationBackend):
    # After authenticate(): the level gov.br reported, for the view to record on the user.
    trust_level: GovbrTrustLevel | None = None

    def authenticate(self, request, *, nonce: str, code_verifier: str):
        # Keyword-only and required on purpose: django.contrib.auth.authenticate() skips a
        # backend whose signature does not fit, so password logins never reach gov.br.
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def get_payload_data(self, token, key):
        # The library verifies the signature and `exp` (without leeway) but not `iss` nor
        # `aud`, and it would accept alg "none" if a setting allowed it: PyJWT checks all of
        # them in one call here.
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.PORTAL_GOVBR_ISSUER,
                leeway=settings.PORTAL_GOVBR_CLOCK_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"gov.br ID token refused: {exc}") from exc
        # With several audiences, OpenID Connect says `azp` names the party it was issued to.
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("gov.br ID token refused: azp is not our client id")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        # The signed ID token carries the CPF and, with the scope
        # govbr_confiabilidades_idtoken, the trust level: the userinfo call adds nothing.
        try:
            cpf = cpf_from_claims(payload)
        except ClaimsError as exc:
            raise SuspiciousOperation(f"gov.br ID token refused: {exc}") from exc
        self.trust_level = trust_level_from_claims(payload)
        user = User.objects.filter(cpf=cpf).first()
        if user is None or not self.user_can_authenticate(user):
            logger.warning(
                "gov.br login refused: %s is %s",
                mask_cpf(cpf),
                "not a portal user" if user is None else "an inactive user",
            )
            raise ApplicationError(
                NOT_A_SIOP_USER.format(contact=settings.PORTAL_SUPPORT_CONTACT),
                code="not_a_siop_user",
            )
        minimum = settings.PORTAL_GOVBR_MIN_LEVEL
        if not meets_minimum_level(self.trust_level, minimum):
            logger.warning(
                "gov.br login refused: %s has level %s, below %s",
                mask_cpf(cpf),
                self.trust_level or "none",
                minimum,
            )
            level = self.trust_level.label if self.trust_level else LEVEL_UNKNOWN
            raise ApplicationError(
                LEVEL_TOO_LOW.format(level=level, minimum=GovbrTrustLevel(minimum).label),
                code="trust_level",
            )
        return user

    def create_user(self, claims):
        raise SuspiciousOperation("accounts are never created from gov.br")

    def get_user(self, user_id):
        # The library's get_user returns inactive users too; Django's refuses them, so an
        # account deactivated in SIOP loses its gov.br sessions at the next request.
        return ModelBackend.get_user(self, user_id)
