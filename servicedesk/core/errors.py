"""The error a service raises when a user asks for something the domain refuses."""


class ApplicationError(Exception):
    """A refusal with a pt-BR message meant for the user (views show it, the API maps it to 4xx).

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
