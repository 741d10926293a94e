"""The SIOP account record, shared by the sync API and the bulk import command."""

from ninja import Schema
from pydantic import Field


class SiopUserIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(default="", max_length=254)
    active: bool = True
    password: str | None = Field(default=None, min_length=1, max_length=4096)
    password_hash: str | None = Field(default=None, min_length=1, max_length=512)


class SiopUserLine(SiopUserIn):
    cpf: str = Field(min_length=1, max_length=20)


class UserOut(Schema):
    cpf: str
    name: str = Field(validation_alias="full_name")
    email: str
    active: bool = Field(validation_alias="is_active")
    origin: str
    created_at: str
    updated_at: str

    @staticmethod
    def resolve_created_at(obj) -> str:
        return obj.created_at.isoformat()

    @staticmethod
    def resolve_updated_at(obj) -> str:
        return obj.updated_at.isoformat()
