"""Fill a PostgreSQL database with a large, realistic data set through COPY (bench/README.md).

    python -m bench.generate --scale 10k --database-url postgres://postgres@127.0.0.1/portal_bench

The database is migrated and gets the demo accounts and catalog (`seed_demo`) first; the
generator then streams users, groups, tickets, timeline entries, attachments' metadata,
solutions and surveys with COPY, in batches, while the next batch is being built. Secondary
indexes and foreign keys are dropped during the load and rebuilt at the end (much faster
than maintaining them row by row); sequences are moved past the loaded ids; VACUUM ANALYZE
leaves the tables as a long-running production database would have them.
"""

import argparse
import hashlib
import json
import os
import queue
import random
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
REQUESTERS = 5_000
AGENTS_PER_GROUP = 10  # 6 groups: 60 agents
YEARS = 3
ENTRIES_AVERAGE = 5
ATTACHMENTS_PER_TICKET = 0.3
BATCH = 25_000
# The demo requester (seed_demo) gets exactly this many tickets, the latest with the long
# timeline below: the pages the load scenarios open.
DEMO_REQUESTER_CPF = "52998224725"
DEMO_REQUESTER_TICKETS = 200
LONG_TIMELINE_ENTRIES = 50
LONG_TIMELINE_FILES = 30
# Passwords of the generated accounts (one hash, computed once).
GENERATED_PASSWORD = "bench-senha-123"
BENCH_SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-not-production"

STATUS_WEIGHTS = {
    "new": 8,
    "assigned": 17,
    "waiting": 8,
    "to_validate": 7,
    "resolved": 15,
    "closed": 45,
}
EXTRA_GROUPS = {
    # name -> cards (slugs) it also serves
    "Emendas parlamentares": ["siop-emendas-parlamentares"],
    "Acessos e perfis": ["acesso-e-perfis-do-siop"],
    "Orçamento e alterações": [
        "captacao-da-proposta-orcamentaria-ploa",
        "alteracoes-orcamentarias",
    ],
    "Relatórios e integrações": ["relatorios-e-consultas", "web-services-do-siop"],
}

FIRST_NAMES = [
    "Ana",
    "Bruno",
    "Carla",
    "Daniel",
    "Eduarda",
    "Felipe",
    "Gabriela",
    "Henrique",
    "Isabela",
    "João",
    "Juliana",
    "Karina",
    "Lucas",
    "Mariana",
    "Nicolas",
    "Olívia",
    "Paulo",
    "Queila",
    "Rafael",
    "Sabrina",
    "Tiago",
    "Úrsula",
    "Vinícius",
    "Wesley",
    "Yasmin",
    "Zilda",
    "Antônio",
    "Beatriz",
    "Caio",
    "Débora",
    "Elisa",
    "Fábio",
    "Gustavo",
    "Helena",
    "Igor",
    "Jéssica",
    "Leonardo",
    "Márcia",
]
SURNAMES = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Santana",
]
WORDS = [
    "empenho",
    "emenda",
    "dotação",
    "orçamentária",
    "crédito",
    "suplementar",
    "remanejamento",
    "beneficiário",
    "proposta",
    "PLOA",
    "PPA",
    "programa",
    "ação",
    "localizador",
    "unidade",
    "órgão",
    "limite",
    "referencial",
    "portaria",
    "prazo",
    "relatório",
    "consulta",
    "perfil",
    "acesso",
    "senha",
    "certificado",
    "web",
    "service",
    "erro",
    "tela",
    "cadastro",
    "alteração",
    "impedimento",
    "execução",
    "pagamento",
    "exercício",
    "LDO",
    "lei",
    "decreto",
    "justificativa",
    "valor",
    "planilha",
    "anexo",
    "validação",
    "sistema",
    "lentidão",
    "indisponível",
    "mensagem",
]
OPENERS = (
    "Bom dia, preciso de ajuda com",
    "Ao tentar registrar",
    "Não consigo concluir",
    "Solicito verificação de",
    "O SIOP apresenta erro em",
    "Gostaria de esclarecer uma dúvida sobre",
    "Conforme conversado, segue",
    "Poderiam verificar",
)
REPLIES_AGENT = (
    "Verificamos o cadastro e ajustamos o",
    "Por favor, envie a captura da tela com",
    "Encaminhamos o pedido à equipe responsável pelo",
    "O problema foi identificado no",
    "Informamos que o prazo para",
)
FILE_TYPES = (
    (".pdf", "application/pdf", "Oficio"),
    (".png", "image/png", "Captura de tela"),
    (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Planilha"),
    (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Nota"),
    (".txt", "text/plain", "Log"),
)

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def esc(value: str) -> str:
    """A value for COPY's text format."""
    return value.translate(_ESCAPES)


def js(value) -> str:
    return esc(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


@dataclass(frozen=True)
class SubjectInfo:
    pk: int
    service_id: int
    group_id: int
    extra_group_id: int | None
    answers: list[str]  # pre-escaped JSON variants


def sentence(rng: random.Random, opener: str, words: int = 12) -> str:
    return f"{opener} {' '.join(rng.choice(WORDS) for _ in range(words))}."


def answer_value(rng: random.Random, field_type: str, choices: str, label: str):
    if field_type in ("single_choice", "multiple_choice"):
        options = [line for line in choices.splitlines() if line.strip()] or ["Outro"]
        return rng.choice(options)
    if field_type == "checkbox":
        return rng.choice(["Sim", "Não"])
    if field_type == "number":
        return str(rng.randint(2024, 2027))
    if field_type == "date":
        return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026"
    if field_type == "email":
        return f"servidor{rng.randint(1, 999)}@example.gov.br"
    if field_type == "long_text":
        return sentence(rng, rng.choice(OPENERS), 25)
    if "emenda" in label.lower():
        return f"2026{rng.randint(1, 9999):04d}"
    return " ".join(rng.choice(WORDS) for _ in range(4))


def copy_value(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return js(value)
    return esc(str(value))


def extra_columns(conn, table: str, columns) -> tuple[list[str], str]:
    """NOT NULL columns the generator does not know (added by later migrations) and the
    model's default for each, so the load keeps working as the schema grows."""
    from django.apps import apps

    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL",
        (table,),
    ).fetchall()
    missing = [name for (name,) in rows if name not in columns]
    if not missing:
        return [], ""
    model = next(m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table)
    by_column = {field.column: field for field in model._meta.concrete_fields}
    values = [copy_value(by_column[name].get_default()) for name in missing]
    return missing, "\t" + "\t".join(values)


class Writer:
    """COPY on a background thread while the main thread builds the next batch."""

    def __init__(self, conn):
        self.conn = conn
        self.extras: dict[str, tuple[list[str], str]] = {}
        self.jobs: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.rows = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while (job := self.jobs.get()) is not None:
            if self.error:
                continue
            try:
                with self.conn.cursor() as cursor:
                    for table, columns, lines in job:
                        if not lines:
                            continue
                        if table not in self.extras:
                            self.extras[table] = extra_columns(self.conn, table, columns)
                        more, suffix = self.extras[table]
                        if suffix:
                            lines = [line[:-1] + suffix + "\n" for line in lines]
                        names = ", ".join([*columns, *more])
                        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as cp:
                            for start in range(0, len(lines), 5000):
                                cp.write("".join(lines[start : start + 5000]))
                        self.rows += len(lines)
            except BaseException as exc:  # re-raised on the main thread
                self.error = exc

    def put(self, job):
        if self.error:
            raise self.error
        self.jobs.put(job)

    def close(self):
        self.jobs.put(None)
        self.thread.join()
        if self.error:
            raise self.error


TICKET_COLUMNS = [
    "number",
    "created_at",
    "updated_at",
    "status",
    "waiting_on",
    "last_interaction_at",
    "resolved_at",
    "closed_at",
    "answers",
    "assigned_agent_id",
    "assigned_group_id",
    "requester_id",
    "service_id",
    "subject_id",
    "first_response_at",
    "reminder_sent_at",
]
ENTRY_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "kind",
    "body_html",
    "body_text",
    "payload",
    "is_private",
    "actor_id",
    "ticket_id",
]
ATTACHMENT_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "file",
    "original_name",
    "size",
    "content_type",
    "sha256",
    "uploaded_by_id",
    "ticket_id",
    "entry_id",
    "is_inline",
]
SOLUTION_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "status",
    "decided_at",
    "author_id",
    "decision_entry_id",
    "entry_id",
    "ticket_id",
]
SURVEY_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "stars",
    "comment",
    "answered_at",
    "requester_id",
    "ticket_id",
]
LOADED_TABLES = (
    "tickets_ticket",
    "tickets_timelineentry",
    "tickets_attachment",
    "tickets_solution",
    "surveys_survey",
)


class Generator:
    def __init__(self, conn, *, tickets: int, seed: int, media_root: Path, log):
        self.conn = conn
        self.total = tickets
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data
        self.media_root = media_root
        self.log = log
        self.now = time.time()
        self.entry_id = 0
        self.attachment_id = 0
        self.solution_id = 0
        self.survey_id = 0

    # --- reference data ------------------------------------------------------------------
    def _fetch(self, sql, params=()):
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def load_reference(self):
        from django.contrib.auth.hashers import make_password

        from servicedesk.accounts.cpf import complete_cpf

        rng = self.rng
        if self._fetch("SELECT count(*) FROM tickets_ticket")[0][0]:
            raise SystemExit("O banco já tem chamados: use um banco novo (--create).")
        now = ts(self.now)
        password = make_password(GENERATED_PASSWORD)
        (first_user,) = self._fetch("SELECT coalesce(max(id), 0) + 1 FROM accounts_user")[0]
        users = []
        for index in range(REQUESTERS + 6 * AGENTS_PER_GROUP):
            cpf = complete_cpf(f"{200_000_000 + index:09d}")
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
            email = f"usuario{index}@example.gov.br"
            users.append(
                f"{first_user + index}\t{esc(password)}\t{now}\t{now}\t{cpf}\t{esc(name)}\t"
                f"{email}\tt\tf\tf\tf\tsiop\t\n"
            )
        user_columns = [
            "id",
            "password",
            "created_at",
            "updated_at",
            "cpf",
            "full_name",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
            "is_supervisor",
            "origin",
            "govbr_trust_level",
        ]
        more, suffix = extra_columns(self.conn, "accounts_user", user_columns)
        if suffix:
            users = [line[:-1] + suffix + "\n" for line in users]
        with self.conn.cursor() as cursor:
            with cursor.copy(
                f"COPY accounts_user ({', '.join([*user_columns, *more])}) FROM STDIN"
            ) as cp:
                cp.write("".join(users))
            groups = dict(self._fetch("SELECT name, id FROM catalog_supportgroup"))
            services = dict(self._fetch("SELECT slug, id FROM catalog_service"))
            for name, slugs in EXTRA_GROUPS.items():
                if name not in groups:
                    cursor.execute(
                        "INSERT INTO catalog_supportgroup (name, created_at, updated_at) "
                        "VALUES (%s, now(), now()) RETURNING id",
                        (name,),
                    )
                    groups[name] = cursor.fetchone()[0]
                for slug in slugs:
                    if slug in services:
                        cursor.execute(
                            "INSERT INTO catalog_supportgroup_services (supportgroup_id, "
                            "service_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                            (groups[name], services[slug]),
                        )
            self.requesters = list(range(first_user, first_user + REQUESTERS))
            self.members: dict[int, list[int]] = {}
            agent = first_user + REQUESTERS
            for group_id in sorted(groups.values()):
                ids = list(range(agent, agent + AGENTS_PER_GROUP))
                agent += AGENTS_PER_GROUP
                cursor.executemany(
                    "INSERT INTO catalog_supportgroup_members (supportgroup_id, user_id) "
                    "VALUES (%s, %s)",
                    [(group_id, user_id) for user_id in ids],
                )
                self.members[group_id] = ids
            cursor.execute("SELECT id FROM accounts_user WHERE cpf = %s", (DEMO_REQUESTER_CPF,))
            self.demo_requester = cursor.fetchone()[0]
            # The demo agent works like the others: tickets get assigned to him too.
            cursor.execute(
                "SELECT m.supportgroup_id, m.user_id FROM catalog_supportgroup_members m "
                "JOIN accounts_user u ON u.id = m.user_id WHERE u.cpf = '39053344705'"
            )
            for group_id, user_id in cursor.fetchall():
                self.members[group_id].append(user_id)
        self.agent_names = {
            pk: name
            for pk, name in self._fetch(
                "SELECT id, full_name FROM accounts_user WHERE id = ANY(%s)",
                ([u for ids in self.members.values() for u in ids],),
            )
        }
        self.group_names = {pk: name for name, pk in groups.items()}
        extra_by_service = {
            services[slug]: groups[name]
            for name, slugs in EXTRA_GROUPS.items()
            for slug in slugs
            if slug in services
        }
        fields: dict[int, list] = {}
        for pk, subject_id, label, field_type, choices in self._fetch(
            "SELECT id, subject_id, label, field_type, choices FROM catalog_formfield "
            'WHERE condition_field_id IS NULL ORDER BY subject_id, "order", id'
        ):
            fields.setdefault(subject_id, []).append((pk, label, field_type, choices))
        self.subjects = []
        for pk, service_id, group_id in self._fetch(
            "SELECT id, service_id, support_group_id FROM catalog_subject WHERE is_active"
        ):
            variants = []
            for _ in range(100):
                answers = [
                    {
                        "field": field_pk,
                        "label": label,
                        "type": field_type,
                        "value": answer_value(rng, field_type, choices, label),
                    }
                    for field_pk, label, field_type, choices in fields.get(pk, [])
                ]
                variants.append(js(answers))
            self.subjects.append(
                SubjectInfo(pk, service_id, group_id, extra_by_service.get(service_id), variants)
            )
        self.requester_texts = [
            esc(sentence(rng, rng.choice(OPENERS), rng.randint(8, 30))) for _ in range(500)
        ]
        self.agent_texts = [
            esc(sentence(rng, rng.choice(REPLIES_AGENT), rng.randint(8, 30))) for _ in range(500)
        ]
        self.log(f"usuários: {len(users)} gerados; grupos: {len(self.members)}")

    # --- rows ------------------------------------------------------------------------------
    def _entry(self, lines, ticket, at, kind, actor, payload, text=None, private=False):
        self.entry_id += 1
        stamp = ts(at)
        html = f"<p>{text}</p>" if text else ""
        lines.append(
            f"{self.entry_id}\t{stamp}\t{stamp}\t{kind}\t{html}\t{text or ''}\t{js(payload)}\t"
            f"{'t' if private else 'f'}\t{actor if actor else NULL}\t{ticket}\n"
        )
        return self.entry_id

    def _attachment(self, lines, ticket, entry, at, uploader, real=False):
        self.attachment_id += 1
        rng = self.rng
        suffix, content_type, prefix = rng.choice(FILE_TYPES)
        moment = datetime.fromtimestamp(at, UTC)
        name = f"attachments/{moment:%Y/%m}/{rng.getrandbits(128):032x}{suffix}"
        if real:
            content = (
                f"%PDF-1.4\n% Arquivo de teste do benchmark, chamado {ticket}\n".encode()
                if suffix == ".pdf"
                else (f"Anexo do chamado {ticket}\n" * 200).encode()
            )
            if suffix == ".png":
                content = b"\x89PNG\r\n\x1a\n" + content
            path = self.media_root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            size, digest = len(content), hashlib.sha256(content).hexdigest()
        else:
            size, digest = rng.randint(20_000, 3_000_000), f"{rng.getrandbits(256):064x}"
        stamp = ts(at)
        original = f"{prefix} {rng.randint(1, 999)}{suffix}"
        lines.append(
            f"{self.attachment_id}\t{stamp}\t{stamp}\t{name}\t{original}\t{size}\t"
            f"{content_type}\t{digest}\t{uploader}\t{ticket}\t{entry}\tf\n"
        )

    def _ticket(self, number, created, requester, out, *, status=None, long_timeline=False):
        """One ticket and everything hanging from it; returns nothing, appends to `out`."""
        rng = self.rng
        tickets, entries, files, solutions, surveys = out
        subject = rng.choice(self.subjects)
        status = (
            status or rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        )
        group = subject.group_id
        if subject.extra_group_id and rng.random() < 0.5:
            group = subject.extra_group_id
        agent = None if status == "new" else rng.choice(self.members[group])
        # Timeline moments: from creation, a few hours to a few days apart, never in the future.
        span = rng.uniform(3600, 20 * 86400)
        end = min(created + span, self.now - 60)
        plan = []  # (kind, actor, payload, text, private)
        opened = {"event": "open", "to": "new"}
        plan.append(("opened", requester, opened, None, False))
        if status != "new":
            plan.append(
                (
                    "assignment",
                    agent,
                    {
                        "event": "assign",
                        "from_label": "",
                        "to_label": f"{self.agent_names[agent]} ({self.group_names[group]})",
                        "to_agent": agent,
                        "to_group": group,
                        "from": "new",
                        "from_waiting_on": None,
                        "to": "assigned",
                        "to_waiting_on": None,
                    },
                    None,
                    False,
                )
            )
        extra = LONG_TIMELINE_ENTRIES - 2 if long_timeline else rng.choice((0, 0, 1, 1, 2, 3, 3))
        for index in range(extra):
            if agent and index % 2 == 0:
                private = not long_timeline and rng.random() < 0.15
                kind = "note" if private else "message"
                event = "private_note" if private else "agent_reply"
                plan.append((kind, agent, {"event": event}, rng.choice(self.agent_texts), private))
            else:
                plan.append(
                    (
                        "message",
                        requester,
                        {"event": "requester_comment"},
                        rng.choice(self.requester_texts),
                        False,
                    )
                )
        waiting_on = ""
        if status == "waiting":
            waiting_on = rng.choice(("requester", "third_party"))
            change = {"from": "assigned", "from_waiting_on": None, "to": "waiting"}
            if waiting_on == "requester":
                payload = {"event": "request_info", **change, "to_waiting_on": "requester"}
                plan.append(("message", agent, payload, rng.choice(self.agent_texts), False))
            else:
                payload = {
                    "event": "wait_third_party",
                    "reason": "Aguardando a equipe de infraestrutura.",
                    **change,
                    "to_waiting_on": "third_party",
                }
                plan.append(("status_change", agent, payload, None, False))
        if status in ("to_validate", "resolved", "closed"):
            payload = {"event": "propose_solution", "from": "assigned", "to": "to_validate"}
            plan.append(("solution", agent, payload, rng.choice(self.agent_texts), False))
        if status in ("resolved", "closed"):
            payload = {"event": "approve", "from": "to_validate", "to": "resolved"}
            plan.append(("approval", requester, payload, None, False))
        if status == "closed":
            payload = {
                "event": "auto_close",
                "reason": "Fechado automaticamente 10 dias após a resolução.",
                "from": "resolved",
                "to": "closed",
            }
            plan.append(("status_change", None, payload, None, False))

        step = (end - created) / max(len(plan) - 1, 1)
        moments = [created + step * index for index in range(len(plan))]
        ids = {}
        first_response = None
        attach_to = None
        for (kind, actor, payload, text, private), at in zip(plan, moments, strict=True):
            if kind == "approval" and "solution" in ids:
                payload = {**payload, "solution": self.solution_id}
            entry = self._entry(entries, number, at, kind, actor, payload, text, private)
            ids[kind] = entry
            if actor == agent and agent and kind in ("message", "solution") and not private:
                first_response = first_response or at
            if kind == "solution":
                self.solution_id += 1
                ids["solution"] = entry
                solution_at = at
            if kind in ("opened", "message") and attach_to is None:
                attach_to = (entry, at, actor)
            if long_timeline and kind == "message" and len(ids) and self.long_files < 30:
                self.long_files += 1
                self._attachment(files, number, entry, at, actor, real=True)
        if not long_timeline and attach_to and rng.random() < ATTACHMENTS_PER_TICKET:
            self._attachment(files, number, *attach_to)
        resolved_at = closed_at = NULL
        if "solution" in ids:
            stamp = ts(solution_at)
            if status == "to_validate":
                solutions.append(
                    f"{self.solution_id}\t{stamp}\t{stamp}\tpending\t{NULL}\t{agent}\t{NULL}\t"
                    f"{ids['solution']}\t{number}\n"
                )
            else:
                decided = ts(moments[plan.index(next(p for p in plan if p[0] == "approval"))])
                resolved_at = decided
                solutions.append(
                    f"{self.solution_id}\t{stamp}\t{decided}\tapproved\t{decided}\t{agent}\t"
                    f"{ids['approval']}\t{ids['solution']}\t{number}\n"
                )
                if rng.random() < 0.3:
                    self.survey_id += 1
                    stars = rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 4, 6))[0]
                    comment = "" if rng.random() < 0.6 else rng.choice(self.requester_texts)
                    surveys.append(
                        f"{self.survey_id}\t{decided}\t{decided}\t{stars}\t{comment}\t{decided}\t"
                        f"{requester}\t{number}\n"
                    )
        if status == "closed":
            closed_at = ts(moments[-1])
        created_s, end_s = ts(created), ts(moments[-1])
        tickets.append(
            f"{number}\t{created_s}\t{end_s}\t{status}\t{waiting_on}\t{end_s}\t{resolved_at}\t"
            f"{closed_at}\t{rng.choice(subject.answers)}\t{agent or NULL}\t"
            f"{group if status != 'new' or rng.random() < 0.5 else NULL}\t{requester}\t"
            f"{subject.service_id}\t{subject.pk}\t"
            f"{ts(first_response) if first_response else NULL}\t{NULL}\n"
        )

    def generate(self, writer: Writer):
        rng = self.rng
        start = self.now - YEARS * 365 * 86400
        created = sorted(rng.uniform(start, self.now - 30 * 86400) for _ in range(self.total))
        # The most recent tickets: the last days, so queues and "Meus chamados" look alive.
        recent = max(1, self.total // 100)
        created[-recent:] = sorted(
            rng.uniform(self.now - 30 * 86400, self.now - 3600) for _ in range(recent)
        )
        demo = set(rng.sample(range(self.total - 1), DEMO_REQUESTER_TICKETS - 1))
        demo.add(self.total - 1)  # the newest ticket: the one with the long timeline
        self.long_files = 0
        for batch_start in range(0, self.total, BATCH):
            out = ([], [], [], [], [])
            for index in range(batch_start, min(batch_start + BATCH, self.total)):
                number = index + 1
                if index == self.total - 1:
                    self._ticket(
                        number,
                        created[index],
                        self.demo_requester,
                        out,
                        status="assigned",
                        long_timeline=True,
                    )
                    continue
                requester = self.demo_requester if index in demo else rng.choice(self.requesters)
                self._ticket(number, created[index], requester, out)
            tickets, entries, files, solutions, surveys = out
            writer.put(
                [
                    ("tickets_ticket", TICKET_COLUMNS, tickets),
                    ("tickets_timelineentry", ENTRY_COLUMNS, entries),
                    ("tickets_attachment", ATTACHMENT_COLUMNS, files),
                    ("tickets_solution", SOLUTION_COLUMNS, solutions),
                    ("surveys_survey", SURVEY_COLUMNS, surveys),
                ]
            )
            done = min(batch_start + BATCH, self.total)
            if done % (BATCH * 8) == 0 or done == self.total:
                self.log(f"{done:,} chamados gerados")


def _secondary_indexes_and_fks(cursor):
    """Definitions of what the load drops: indexes that back no constraint, and FKs."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT EXISTS ("
        "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        (list(LOADED_TABLES),),
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND (conrelid::regclass::text = ANY(%s) "
        "OR confrelid::regclass::text = ANY(%s))",
        (list(LOADED_TABLES), list(LOADED_TABLES)),
    )
    return indexes, cursor.fetchall()


def load(url: str, *, tickets: int, seed: int, media_root: Path, log) -> dict[str, float]:
    import psycopg

    timings = {}
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        generator = Generator(conn, tickets=tickets, seed=seed, media_root=media_root, log=log)
        generator.load_reference()
        with conn.cursor() as cursor:
            indexes, fks = _secondary_indexes_and_fks(cursor)
            for table, name, _ in fks:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
        writer = Writer(conn)
        try:
            generator.generate(writer)
        finally:
            writer.close()
        timings["copy"] = time.perf_counter() - started
        log(f"COPY: {writer.rows:,} linhas em {timings['copy']:.1f} s")
        mark = time.perf_counter()
        with conn.cursor() as cursor:
            for _, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in fks:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for table, column in (
                ("accounts_user", "id"),
                ("catalog_supportgroup", "id"),
                ("catalog_supportgroup_members", "id"),
                ("catalog_supportgroup_services", "id"),
                ("tickets_ticket", "number"),
                ("tickets_timelineentry", "id"),
                ("tickets_attachment", "id"),
                ("tickets_solution", "id"),
                ("surveys_survey", "id"),
            ):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608
                    f"coalesce(max({column}), 0) + 1, false) FROM {table}"
                )
        conn.commit()
        timings["indexes"] = time.perf_counter() - mark
        log(f"índices e chaves estrangeiras: {timings['indexes']:.1f} s")
        mark = time.perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        # Write the load out now: a run started right after would share the machine with
        # the checkpointer flushing gigabytes (every 1M page measured ~25 % slower).
        conn.execute("CHECKPOINT")
        timings["vacuum_analyze"] = time.perf_counter() - mark
        log(f"VACUUM ANALYZE + CHECKPOINT: {timings['vacuum_analyze']:.1f} s")
        counts = {}
        for table in ("accounts_user", *LOADED_TABLES):
            query = f"SELECT count(*) FROM {table}"  # noqa: S608 - our own table names
            counts[table] = conn.execute(query).fetchone()[0]
    timings["total"] = time.perf_counter() - started
    return {"timings": timings, "counts": counts}


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="10k")
    parser.add_argument("--tickets", type=int, help="número exato de chamados (sobrepõe --scale)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--create", action="store_true", help="apaga e recria o banco antes")
    parser.add_argument("--media-root", default=os.environ.get("MEDIA_ROOT", ""))
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--json", help="grava os tempos e contagens neste arquivo JSON")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url deve apontar para um banco PostgreSQL")
    if not args.media_root:
        parser.error(
            "--media-root (ou MEDIA_ROOT) é obrigatório: os anexos baixados são gravados nele"
        )

    def log(message):
        print(f"[generate {time.perf_counter() - t0:7.1f}s] {message}", flush=True)

    t0 = time.perf_counter()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["MEDIA_ROOT"] = args.media_root
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args.create:
        create_database(args.database_url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    log("migrate + seed_demo")
    tickets = args.tickets or SCALES[args.scale]
    result = load(
        args.database_url,
        tickets=tickets,
        seed=args.seed,
        media_root=Path(args.media_root),
        log=log,
    )
    result["tickets"] = tickets
    result["timings"]["wall"] = time.perf_counter() - t0
    log(f"pronto: {tickets:,} chamados em {result['timings']['wall']:.1f} s; {result['counts']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
