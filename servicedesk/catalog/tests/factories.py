import factory

from servicedesk.catalog.models import (
    Category,
    FieldType,
    FormField,
    Service,
    Subject,
    SupportGroup,
)


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Grupo {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Categoria {n}")
    slug = factory.Sequence(lambda n: f"categoria-{n}")
    order = factory.Sequence(lambda n: n)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    slug = factory.Sequence(lambda n: f"card-{n}")
    title = factory.Sequence(lambda n: f"Card {n}")
    short_description = "Descrição curta do card."
    category = factory.SubFactory(CategoryFactory)
    order = factory.Sequence(lambda n: n)


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Assunto {n}")
    order = factory.Sequence(lambda n: n)
    support_group = factory.SubFactory(SupportGroupFactory)


class FormFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormField

    subject = factory.SubFactory(SubjectFactory)
    label = factory.Sequence(lambda n: f"Pergunta {n}")
    field_type = FieldType.SHORT_TEXT
    order = factory.Sequence(lambda n: n)
