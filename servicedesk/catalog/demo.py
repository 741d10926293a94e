"""The demo catalog: realistic SIOP cards, subjects and forms, created or reset idempotently."""

from dataclasses import dataclass

from django.db import models, transaction

from servicedesk.accounts.models import User

from .models import Category, FieldType, FormField, Service, Subject, SupportGroup

DEMO_AGENT_CPF = "39053344705"
DEMO_INFRA_AGENT_CPF = "45678912364"
SIOP_DESK = "Atendimento SIOP"
INFRA_DESK = "Infraestrutura e incidentes"
# Every group that receives tickets has a member: a group without one reaches nobody on the
# team (issue 14). The accounts themselves come from seed_demo.
DEMO_MEMBERS = {SIOP_DESK: DEMO_AGENT_CPF, INFRA_DESK: DEMO_INFRA_AGENT_CPF}

SPECIFIC = "atendimentos-especificos"
INCIDENTS = "tratamento-de-incidentes"
CATEGORIES = [
    # slug, name, order
    (SPECIFIC, "Atendimentos específicos", 1),
    (INCIDENTS, "Tratamento de incidentes", 2),
]


@dataclass(frozen=True)
class FieldSpec:
    """A form field of the demo; `show_when` is (label of an earlier field, value)."""

    label: str
    field_type: str
    required: bool = False
    help_text: str = ""
    choices: tuple[str, ...] = ()
    pattern: str = ""
    pattern_message: str = ""
    show_when: tuple[str, str] | None = None


@dataclass(frozen=True)
class SubjectSpec:
    name: str
    group: str
    description: str
    fields: list[FieldSpec]


@dataclass(frozen=True)
class CardSpec:
    slug: str
    title: str
    category: str
    icon: str
    description: str
    subjects: list[SubjectSpec]


def describe(help_text: str = "", label: str = "Descreva sua solicitação") -> FieldSpec:
    # Every subject ends with it, so every ticket carries a text of its own.
    return FieldSpec(label, FieldType.LONG_TEXT, required=True, help_text=help_text)


AMENDMENT_NUMBER = FieldSpec(
    "Número da emenda",
    FieldType.SHORT_TEXT,
    required=True,
    help_text="Ano e número sequencial, somente dígitos.",
    pattern=r"\d{4}\d{4}",
    pattern_message="Informe o número da emenda com 8 dígitos, por exemplo 20260001.",
)
BUDGET_UNIT = FieldSpec(
    "Unidade orçamentária (UO)",
    FieldType.SHORT_TEXT,
    required=True,
    help_text="Código e nome, por exemplo 36901 - Fundo Nacional de Saúde.",
)
BUDGET_YEAR = FieldSpec(
    "Exercício",
    FieldType.NUMBER,
    required=True,
    help_text="Ano do orçamento, por exemplo 2027.",
)
SIOP_MODULES = (
    "Acompanhamento orçamentário",
    "Alterações orçamentárias",
    "Captação da proposta (PLOA)",
    "Emendas parlamentares",
    "Planejamento (PPA)",
    "Relatórios e consultas",
    "Outro",
)
WEB_SERVICES = ("WSQualitativo", "WSQuantitativo", "WSAlteracoesOrcamentarias")

CATALOG = [
    CardSpec(
        "siop-emendas-parlamentares",
        "SIOP Emendas Parlamentares",
        SPECIFIC,
        "fas fa-hand-holding-usd",
        "Cadastro, alteração, impedimentos e execução de emendas individuais e de bancada.",
        [
            SubjectSpec(
                "Erro ao cadastrar ou alterar emenda",
                SIOP_DESK,
                "Informe a emenda e em que passo o erro aparece; anexe uma captura da tela com a "
                "mensagem do SIOP.",
                [
                    AMENDMENT_NUMBER,
                    FieldSpec(
                        "Tipo de emenda",
                        FieldType.SINGLE_CHOICE,
                        required=True,
                        choices=(
                            "Individual (RP6)",
                            "De bancada estadual (RP7)",
                            "De comissão (RP8)",
                        ),
                    ),
                    FieldSpec(
                        "Em qual momento o erro ocorre?",
                        FieldType.SINGLE_CHOICE,
                        required=True,
                        choices=(
                            "Cadastro da emenda",
                            "Indicação ou troca de beneficiário",
                            "Remanejamento de valores",
                            "Envio para análise do órgão",
                            "Outro",
                        ),
                    ),
                    FieldSpec(
                        "Descreva em que momento o erro ocorre",
                        FieldType.LONG_TEXT,
                        required=True,
                        show_when=("Em qual momento o erro ocorre?", "Outro"),
                    ),
                    FieldSpec("O erro impede o cumprimento de prazo legal?", FieldType.CHECKBOX),
                    FieldSpec(
                        "Prazo",
                        FieldType.DATE,
                        required=True,
                        help_text="Data-limite prevista na LDO ou na portaria de prazos.",
                        show_when=("O erro impede o cumprimento de prazo legal?", "Sim"),
                    ),
                    describe("Copie a mensagem de erro exibida pelo SIOP, se houver."),
                ],
            ),
            SubjectSpec(
                "Impedimentos de ordem técnica",
                SIOP_DESK,
                "Registro e justificativa de impedimentos técnicos à execução de emendas "
                "individuais e de bancada.",
                [
                    AMENDMENT_NUMBER,
                    BUDGET_UNIT,
                    FieldSpec(
                        "Tipo de impedimento",
                        FieldType.MULTIPLE_CHOICE,
                        required=True,
                        choices=(
                            "Objeto incompatível com a finalidade da ação orçamentária",
                            "Ausência de projeto de engenharia aprovado",
                            "Valor insuficiente para a execução do objeto",
                            "Beneficiário não indicado ou inabilitado",
                            "Outro motivo",
                        ),
                    ),
                    FieldSpec(
                        "CNPJ do beneficiário",
                        FieldType.CNPJ,
                        help_text="Da entidade ou do ente indicado na emenda, se houver.",
                    ),
                    describe(),
                ],
            ),
            SubjectSpec(
                "Dúvidas sobre emendas e seus prazos",
                SIOP_DESK,
                "Orientações sobre o calendário das emendas, o orçamento impositivo e o uso do "
                "módulo de emendas.",
                [
                    FieldSpec(
                        "Número da emenda (se houver)",
                        FieldType.SHORT_TEXT,
                        pattern=AMENDMENT_NUMBER.pattern,
                        pattern_message=AMENDMENT_NUMBER.pattern_message,
                    ),
                    describe(),
                ],
            ),
        ],
    ),
    CardSpec(
        "acesso-e-perfis-do-siop",
        "Acesso e perfis do SIOP",
        SPECIFIC,
        "fas fa-user-lock",
        "Concessão e alteração de perfis, troca de órgão ou UO e problemas para entrar no SIOP.",
        [
            SubjectSpec(
                "Solicitar ou alterar perfil de acesso",
                SIOP_DESK,
                "O pedido precisa do aval do órgão setorial de orçamento; anexe o ofício ou "
                "e-mail de autorização, se tiver.",
                [
                    FieldSpec(
                        "CPF do usuário",
                        FieldType.CPF,
                        required=True,
                        help_text="De quem receberá o perfil; pode ser o seu.",
                    ),
                    FieldSpec(
                        "E-mail institucional do usuário",
                        FieldType.EMAIL,
                        required=True,
                    ),
                    FieldSpec(
                        "Órgão",
                        FieldType.SHORT_TEXT,
                        required=True,
                        help_text="Código e nome, por exemplo 36000 - Ministério da Saúde.",
                    ),
                    FieldSpec(
                        "Unidade orçamentária (UO)",
                        FieldType.SHORT_TEXT,
                        help_text=BUDGET_UNIT.help_text,
                    ),
                    FieldSpec(
                        "Perfis solicitados",
                        FieldType.MULTIPLE_CHOICE,
                        required=True,
                        choices=(
                            "Consulta",
                            "Unidade orçamentária (captação)",
                            "Órgão setorial",
                            "Emendas parlamentares",
                            "Alterações orçamentárias",
                        ),
                    ),
                    FieldSpec("Telefone para contato", FieldType.PHONE),
                    describe("Diga, por exemplo, se é um novo acesso ou a troca de um perfil."),
                ],
            ),
            SubjectSpec(
                "Não consigo entrar no SIOP",
                SIOP_DESK,
                "Antes de abrir o chamado, tente redefinir a senha pela tela de login do SIOP.",
                [
                    FieldSpec(
                        "Como você tenta entrar?",
                        FieldType.SINGLE_CHOICE,
                        required=True,
                        choices=("Com gov.br", "Com CPF e senha"),
                    ),
                    FieldSpec("Mensagem exibida", FieldType.SHORT_TEXT),
                    describe(),
                ],
            ),
        ],
    ),
    CardSpec(
        "captacao-da-proposta-orcamentaria-ploa",
        "Captação da proposta orçamentária (PLOA)",
        SPECIFIC,
        "fas fa-file-invoice-dollar",
        "Captação da proposta, limites, ações e planos orçamentários no ciclo do PLOA.",
        [
            SubjectSpec(
                "Erro na captação da proposta",
                SIOP_DESK,
                "Informe a UO e a ação em que o erro acontece.",
                [
                    BUDGET_YEAR,
                    BUDGET_UNIT,
                    FieldSpec(
                        "Ação orçamentária",
                        FieldType.SHORT_TEXT,
                        required=True,
                        pattern=r"[0-9A-Z]{4}",
                        pattern_message="Informe o código da ação com 4 caracteres, por exemplo "
                        "2000 ou 21C0.",
                    ),
                    FieldSpec("Plano orçamentário (PO)", FieldType.SHORT_TEXT),
                    describe("Copie a mensagem de erro exibida pelo SIOP, se houver."),
                ],
            ),
            SubjectSpec(
                "Limites e referenciais monetários",
                SIOP_DESK,
                "Dúvidas ou divergências nos limites de despesas discricionárias e "
                "referenciais da proposta.",
                [
                    BUDGET_YEAR,
                    FieldSpec(
                        "Valor divergente (R$)",
                        FieldType.NUMBER,
                        help_text="A diferença encontrada, por exemplo 150000,00.",
                    ),
                    describe(),
                ],
            ),
        ],
    ),
    CardSpec(
        "alteracoes-orcamentarias",
        "Alterações orçamentárias",
        SPECIFIC,
        "fas fa-exchange-alt",
        "Pedidos de créditos adicionais, remanejamentos e alterações de fonte ou modalidade.",
        [
            SubjectSpec(
                "Erro ao registrar pedido de alteração",
                SIOP_DESK,
                "Informe o número do pedido e o momento em que o SIOP recusa o registro.",
                [
                    FieldSpec("Número do pedido", FieldType.SHORT_TEXT, required=True),
                    FieldSpec(
                        "Tipo de alteração",
                        FieldType.SINGLE_CHOICE,
                        required=True,
                        choices=(
                            "Crédito suplementar",
                            "Crédito especial",
                            "Crédito extraordinário",
                            "Alteração de fonte, modalidade ou identificador de uso",
                        ),
                    ),
                    describe("Copie a mensagem de erro exibida pelo SIOP, se houver."),
                ],
            ),
            SubjectSpec(
                "Dúvidas sobre tipos e prazos de alteração",
                SIOP_DESK,
                "Orientações sobre a portaria de prazos e os tipos de alteração.",
                [describe()],
            ),
        ],
    ),
    CardSpec(
        "relatorios-e-consultas",
        "Relatórios e consultas",
        SPECIFIC,
        "fas fa-chart-bar",
        "Relatórios gerenciais, consultas livres e extração de dados orçamentários.",
        [
            SubjectSpec(
                "Erro ou divergência em relatório",
                SIOP_DESK,
                "Diga qual relatório, com quais filtros, e qual valor esperava ver.",
                [
                    FieldSpec("Nome do relatório ou consulta", FieldType.SHORT_TEXT, required=True),
                    FieldSpec("Data de referência dos dados", FieldType.DATE),
                    FieldSpec("Valor esperado (R$)", FieldType.NUMBER),
                    describe("Liste os filtros usados; anexe a planilha exportada, se puder."),
                ],
            ),
            SubjectSpec(
                "Pedido de novo relatório ou consulta",
                SIOP_DESK,
                "Pedidos de novos relatórios passam por avaliação da SOF antes de entrar na fila.",
                [describe("Para que o relatório será usado e quais colunas deve ter.")],
            ),
        ],
    ),
    CardSpec(
        "web-services-do-siop",
        "Web services do SIOP",
        SPECIFIC,
        "fas fa-plug",
        "Credenciamento e suporte à integração com WSQuantitativo, WSQualitativo e "
        "WSAlteracoesOrcamentarias.",
        [
            SubjectSpec(
                "Credenciamento para uso dos web services",
                SIOP_DESK,
                "O acesso é concedido ao órgão ou entidade, com um responsável técnico.",
                [
                    FieldSpec("CNPJ do órgão ou entidade", FieldType.CNPJ, required=True),
                    FieldSpec(
                        "Serviços desejados",
                        FieldType.MULTIPLE_CHOICE,
                        required=True,
                        choices=WEB_SERVICES,
                    ),
                    FieldSpec("CPF do responsável técnico", FieldType.CPF, required=True),
                    FieldSpec("E-mail do responsável técnico", FieldType.EMAIL, required=True),
                    FieldSpec("Telefone do responsável técnico", FieldType.PHONE),
                    describe("Conte como os dados serão usados no seu sistema."),
                ],
            ),
            SubjectSpec(
                "Erro na chamada a um web service",
                INFRA_DESK,
                "Anexe a mensagem SOAP enviada e a resposta recebida, sem senhas.",
                [
                    FieldSpec(
                        "Serviço",
                        FieldType.SINGLE_CHOICE,
                        required=True,
                        choices=WEB_SERVICES,
                    ),
                    FieldSpec(
                        "Operação chamada",
                        FieldType.SHORT_TEXT,
                        help_text="O nome da operação como aparece no WSDL.",
                    ),
                    FieldSpec(
                        "Ambiente",
                        FieldType.SINGLE_CHOICE,
                        required=True,
                        choices=("Produção", "Homologação"),
                    ),
                    FieldSpec("Data da ocorrência", FieldType.DATE, required=True),
                    describe(),
                ],
            ),
        ],
    ),
    CardSpec(
        "sistema-indisponivel-ou-lento",
        "Sistema indisponível ou lento",
        INCIDENTS,
        "fas fa-server",
        "Avise quando o SIOP estiver fora do ar, muito lento ou não carregar.",
        [
            SubjectSpec(
                "SIOP fora do ar",
                INFRA_DESK,
                "Informe quando começou; se puder, teste em outro navegador ou rede antes.",
                [
                    FieldSpec("Data da ocorrência", FieldType.DATE, required=True),
                    FieldSpec("O problema continua neste momento?", FieldType.CHECKBOX),
                    FieldSpec(
                        "Telefone para contato",
                        FieldType.PHONE,
                        help_text="Para a equipe avisar quando o sistema voltar.",
                    ),
                    describe("O que aparece na tela e o endereço que você tentou abrir."),
                ],
            ),
            SubjectSpec(
                "Lentidão no sistema",
                INFRA_DESK,
                "Diga em qual tela a lentidão acontece e quanto tempo a resposta demora.",
                [
                    FieldSpec(
                        "Módulo do SIOP",
                        FieldType.SINGLE_CHOICE,
                        required=True,
                        choices=SIOP_MODULES,
                    ),
                    FieldSpec(
                        "Tempo de resposta aproximado (segundos)",
                        FieldType.NUMBER,
                        help_text="Por exemplo 45.",
                    ),
                    describe(),
                ],
            ),
        ],
    ),
    CardSpec(
        "erro-em-funcionalidade",
        "Erro em funcionalidade",
        INCIDENTS,
        "fas fa-bug",
        "Mensagens de erro, telas que não carregam ou resultados incorretos em um módulo.",
        [
            SubjectSpec(
                "Mensagem de erro em uma tela",
                INFRA_DESK,
                "Anexe uma captura da tela inteira, com a barra de endereço visível.",
                [
                    FieldSpec(
                        "Módulo do SIOP",
                        FieldType.SINGLE_CHOICE,
                        required=True,
                        choices=SIOP_MODULES,
                    ),
                    FieldSpec("Endereço (URL) da tela", FieldType.SHORT_TEXT),
                    FieldSpec("Mensagem de erro exibida", FieldType.SHORT_TEXT, required=True),
                    describe("Os passos que levam ao erro, na ordem."),
                ],
            ),
            SubjectSpec(
                "Dado incorreto ou inconsistente",
                SIOP_DESK,
                "Para valores ou cadastros que aparecem diferentes do que foi registrado.",
                [
                    FieldSpec(
                        "Módulo do SIOP",
                        FieldType.SINGLE_CHOICE,
                        required=True,
                        choices=SIOP_MODULES,
                    ),
                    describe("Onde o dado aparece e qual seria o valor correto."),
                ],
            ),
        ],
    ),
    CardSpec(
        "outros-assuntos",
        "Outros assuntos",
        SPECIFIC,
        "fas fa-comments",
        "Não encontrou o card certo? Descreva seu pedido e a equipe o direciona.",
        [
            SubjectSpec(
                "Dúvidas gerais sobre o SIOP",
                SIOP_DESK,
                "Para qualquer pedido que não se encaixe nos outros cards.",
                [describe()],
            ),
            SubjectSpec(
                "Sugestões de melhoria",
                SIOP_DESK,
                "Ideias para facilitar o seu trabalho no SIOP são bem-vindas.",
                [describe("O que você gostaria que o SIOP fizesse e por quê.")],
            ),
        ],
    ),
]


def _upsert(model: type[models.Model], lookup: dict, values: dict):
    """Update or create by `lookup`, keeping the pk, after checking every model rule."""
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def seed_catalog() -> None:
    """Create or reset the demo catalog. Extra cards, subjects or fields added by hand stay."""
    groups = {name: _upsert(SupportGroup, {"name": name}, {}) for name in (SIOP_DESK, INFRA_DESK)}
    for name, cpf in DEMO_MEMBERS.items():
        agent = User.objects.filter(cpf=cpf).first()
        if agent is not None:
            groups[name].members.add(agent)

    categories = {
        slug: _upsert(Category, {"slug": slug}, {"name": name, "order": order})
        for slug, name, order in CATEGORIES
    }
    for card_order, card in enumerate(CATALOG, start=1):
        service = _upsert(
            Service,
            {"slug": card.slug},
            {
                "title": card.title,
                "short_description": card.description,
                "icon": card.icon,
                "category": categories[card.category],
                # The catch-all card is last of CATALOG, so it is also last of its tab.
                "order": card_order * 10,
                "is_active": True,
            },
        )
        for subject_order, spec in enumerate(card.subjects, start=1):
            subject = _upsert(
                Subject,
                {"service": service, "name": spec.name},
                {
                    "description": spec.description,
                    "order": subject_order,
                    "is_active": True,
                    "support_group": groups[spec.group],
                },
            )
            _seed_fields(subject, spec.fields)
            # A group serves (sees on the desk) every card it receives tickets from.
            groups[spec.group].services.add(service)


def _seed_fields(subject: Subject, specs: list[FieldSpec]) -> None:
    by_label: dict[str, FormField] = {}
    for order, spec in enumerate(specs, start=1):
        controller, expected = None, ""
        if spec.show_when:
            controller, expected = by_label[spec.show_when[0]], spec.show_when[1]
        by_label[spec.label] = _upsert(
            FormField,
            {"subject": subject, "label": spec.label},
            {
                "field_type": spec.field_type,
                "required": spec.required,
                "help_text": spec.help_text,
                "order": order,
                "choices": "\n".join(spec.choices),
                "pattern": spec.pattern,
                "pattern_message": spec.pattern_message,
                "condition_field": controller,
                "condition_value": expected,
            },
        )
