"""Icons a card may show: Font Awesome 5 classes, the icon set of the gov.br Design System."""

CARD_ICONS = [
    ("fas fa-landmark", "Instituição"),
    ("fas fa-hand-holding-usd", "Emendas e recursos"),
    ("fas fa-user-lock", "Acesso e perfis"),
    ("fas fa-file-invoice-dollar", "Proposta orçamentária"),
    ("fas fa-exchange-alt", "Alterações"),
    ("fas fa-chart-bar", "Relatórios"),
    ("fas fa-table", "Consultas e tabelas"),
    ("fas fa-plug", "Integrações e web services"),
    ("fas fa-server", "Sistema e servidores"),
    ("fas fa-exclamation-triangle", "Incidente"),
    ("fas fa-bug", "Erro"),
    ("fas fa-tachometer-alt", "Desempenho"),
    ("fas fa-question-circle", "Dúvidas"),
    ("fas fa-comments", "Outros assuntos"),
    ("fas fa-cogs", "Configurações"),
    ("fas fa-calendar-alt", "Prazos e calendário"),
    ("fas fa-book", "Manuais e orientações"),
    ("fas fa-graduation-cap", "Capacitação"),
    ("fas fa-database", "Dados"),
    ("fas fa-lightbulb", "Sugestões e melhorias"),
]
