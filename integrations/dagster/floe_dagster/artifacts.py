"""Loads the CompiledArtifacts file that ``floe compile`` writes, for the Python side of floe.

The TypeScript apps and this package read one document (libs/config, ``CompiledArtifacts`` v1),
so Dagster and the writer fleet agree on the catalog, the staging storage and the queues. Only
the three sections the integration needs are turned into typed settings here: ``catalog``,
``storage`` and ``queue``. The file keeps secrets as ``${env:NAME}`` references (it may be
committed or baked into an image); they are resolved from the environment when loading, with the
same rules as libs/config: ``${env:NAME}`` must be set, ``${env:NAME:-fallback}`` falls back when
NAME is unset or empty, ``$${...}`` is a literal. As in libs/config, only the fields that keep
references in the artifacts are resolved; every other value was resolved by ``floe compile``
already, so a literal ``${...}`` in it is data. Problems are collected and reported together as
``path: problem — fix`` lines naming the field, never quoting a secret.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ARTIFACTS_VERSION = 1
DEFAULT_ARTIFACTS_FILE = "floe.compiled.json"

# Fields whose ${env:...} reference survives `floe compile` (libs/config sensitive-fields.ts).
_REFERENCE_KEPT_FIELDS: tuple[tuple[str, ...], ...] = (
    ("catalog", "credential", "client_secret"),
    ("catalog", "credential", "token"),
    ("storage", "secret_access_key"),
    ("storage", "session_token"),
    ("storage", "access_key_id"),
    ("queue", "redis_url"),
    ("catalog", "headers", "*"),
)
_SECRET_FIELDS = {
    ("catalog", "credential", "client_secret"),
    ("catalog", "credential", "token"),
    ("storage", "secret_access_key"),
    ("storage", "session_token"),
}

# What libs/config's catalog schema takes as a `type: sql` database (SQLAlchemy-style URLs).
_SQL_URI = re.compile(r"^(sqlite(\+[a-z0-9]+)?://|postgres(ql)?(\+[a-z0-9]+)?://|file:|/)", re.IGNORECASE)
# catalog.* fields that only a REST catalog reads, and when they count as set.
_REST_ONLY: tuple[tuple[str, Any], ...] = (
    ("credential", lambda value: value is not None),
    ("oauth2_server_uri", lambda value: value is not None),
    ("prefix", lambda value: value is not None),
    ("access_delegation", lambda value: value not in (None, "none")),
    ("headers", lambda value: bool(value)),
)

_PLACEHOLDER = re.compile(r"\$(\$)?\{([^}]*)\}")
_ENV_REFERENCE = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class ArtifactsIssue:
    """One problem with the artifacts: the field, what is wrong, and what to do about it."""

    path: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem} — {self.fix}"


class ArtifactsError(Exception):
    """The artifacts file cannot be used. ``kind`` says why, ``issues`` lists every problem."""

    retryable = False

    def __init__(self, kind: str, summary: str, issues: list[ArtifactsIssue]) -> None:
        super().__init__("\n".join([summary, *(f"  {issue}" for issue in issues)]))
        self.kind = kind
        self.issues = issues


@dataclass(frozen=True)
class CatalogCredential:
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CatalogSettings:
    """``type`` is ``rest`` (an Iceberg REST catalog) or ``sql`` (floe's embedded SQL catalog:
    ``uri`` is the SQLite file or PostgreSQL database, ``name`` the catalog_name of its rows)."""

    type: str
    uri: str
    warehouse: str
    scope: str
    access_delegation: str
    headers: Mapping[str, str] = field(repr=False)
    credential: CatalogCredential | None = None
    prefix: str | None = None
    oauth2_server_uri: str | None = None
    name: str = "floe"


@dataclass(frozen=True)
class StagingSettings:
    """A bucket and key prefix, or (floe on one machine) a local folder ``location``
    (``file:///…``) and prefix; ``bucket`` is empty then."""

    bucket: str
    prefix: str
    location: str | None = None


@dataclass(frozen=True)
class StorageSettings:
    region: str
    path_style: bool
    staging: StagingSettings
    max_staged_object_bytes: int
    endpoint: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class QueueSettings:
    redis_url: str = field(repr=False)
    prefix: str
    write_queue: str
    maintenance_queue: str


@dataclass(frozen=True)
class CompiledArtifacts:
    version: int
    catalog: CatalogSettings
    storage: StorageSettings
    queue: QueueSettings
    source: str
    # Sections this package does not model yet (writer, maintenance, observability), as loaded.
    other_sections: Mapping[str, Any] = field(default_factory=dict, repr=False)


def load_artifacts(
    path: str | os.PathLike[str] = DEFAULT_ARTIFACTS_FILE,
    env: Mapping[str, str] | None = None,
) -> CompiledArtifacts:
    """Reads, resolves and checks a CompiledArtifacts file; ``env`` defaults to ``os.environ``."""
    source = str(path)
    fix = (
        f"run `npm run floe -- compile --config floe.yaml --out {source}` to create it (or use config_path: floe.yaml)"
    )
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArtifactsError(
            "unreadable-artifacts", f"cannot read {source}:", [ArtifactsIssue(source, "does not exist", fix)]
        ) from None
    except OSError as error:
        problem = f"cannot be read ({error.strerror or type(error).__name__})"
        raise ArtifactsError(
            "unreadable-artifacts", f"cannot read {source}:", [ArtifactsIssue(source, problem, fix)]
        ) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        issue = ArtifactsIssue(
            source, f"is not JSON ({error.msg} at line {error.lineno})", "regenerate it with `npm run floe -- compile`"
        )
        raise ArtifactsError("unreadable-artifacts", f"cannot read {source}:", [issue]) from None
    return parse_artifacts(document, env, source)


def parse_artifacts(
    document: Any, env: Mapping[str, str] | None = None, source: str = DEFAULT_ARTIFACTS_FILE
) -> CompiledArtifacts:
    """Resolves and checks an already-parsed artifacts document."""
    environment = os.environ if env is None else env
    version = document.get("version") if isinstance(document, dict) else None
    if version != ARTIFACTS_VERSION or isinstance(version, bool):
        issue = ArtifactsIssue(
            "version",
            f"is {json.dumps(version)}, floe-dagster reads version {ARTIFACTS_VERSION}",
            "run `npm run floe -- compile` with the floe version this package belongs to, to regenerate it",
        )
        raise ArtifactsError("unsupported-version", f"{source} cannot be used:", [issue])

    reader = _SectionReader(document, environment)
    catalog = reader.catalog()
    storage = reader.storage()
    queue = reader.queue()
    if reader.issues:
        only_env = all(issue.problem.startswith("environment variable ") for issue in reader.issues)
        count = len(reader.issues)
        raise ArtifactsError(
            "missing-env" if only_env else "invalid-artifacts",
            f"{source} has {count} problem{'' if count == 1 else 's'}:",
            scrub_issues(reader.issues, reader.resolved_values),
        )
    assert catalog is not None and storage is not None and queue is not None
    others = {key: value for key, value in document.items() if key not in ("version", "catalog", "storage", "queue")}
    return CompiledArtifacts(ARTIFACTS_VERSION, catalog, storage, queue, source, others)


def keeps_reference(path: tuple[str, ...]) -> bool:
    return any(
        len(pattern) == len(path) and all(p == "*" or p == segment for p, segment in zip(pattern, path, strict=True))
        for pattern in _REFERENCE_KEPT_FIELDS
    )


def _kind(value: object) -> str:
    """A JSON kind for messages; the value itself is not quoted, as the field may hold a secret."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, dict) else type(value).__name__


def scrub_issues(issues: list[ArtifactsIssue], secrets: list[str]) -> list[ArtifactsIssue]:
    def scrub(text: str) -> str:
        for secret in secrets:
            if len(secret) >= 3:
                text = text.replace(secret, "[REDACTED]")
        return text

    return [ArtifactsIssue(scrub(i.path), scrub(i.problem), scrub(i.fix)) for i in issues]


class _SectionReader:
    """Walks the three sections, resolving references and collecting issues instead of stopping."""

    def __init__(self, document: dict[str, Any], env: Mapping[str, str]) -> None:
        self.document = document
        self.env = env
        self.issues: list[ArtifactsIssue] = []
        self.resolved_values: list[str] = []

    def catalog(self) -> CatalogSettings | None:
        section = self._section("catalog")
        if section is None:
            return None
        type_ = self._string(section, ("catalog", "type"))
        if type_ is not None and type_ not in ("rest", "sql"):
            self._issue(
                ("catalog", "type"),
                f"is {json.dumps(type_)}, floe-dagster reads 'rest' and 'sql' catalogs",
                "set type: rest (an Iceberg REST catalog) or type: sql (the embedded SQL catalog)",
            )
        if type_ == "sql":
            uri = self._sql_uri(section)
            for name, is_set in _REST_ONLY:
                if is_set(section.get(name)):
                    self._issue(
                        ("catalog", name),
                        "is a REST catalog setting, but catalog.type is sql",
                        f"remove catalog.{name}, or set catalog.type: rest",
                    )
        elif type_ in (None, "rest"):
            uri = self._url(section, ("catalog", "uri"), ("http", "https"))
        else:
            uri = self._string(section, ("catalog", "uri"))
        warehouse = self._string(section, ("catalog", "warehouse"))
        headers_value = section.get("headers", {})
        headers: dict[str, str] = {}
        if isinstance(headers_value, dict):
            for name in headers_value:
                value = self._string(headers_value, ("catalog", "headers", str(name)))
                if value is not None:
                    headers[str(name)] = value
        else:
            self._issue(("catalog", "headers"), "is not a mapping", "write headers as name: value pairs")
        credential = None
        credential_value = section.get("credential")
        if isinstance(credential_value, dict):
            credential = CatalogCredential(
                client_id=self._string(credential_value, ("catalog", "credential", "client_id"), required=False),
                client_secret=self._string(
                    credential_value, ("catalog", "credential", "client_secret"), required=False
                ),
                token=self._string(credential_value, ("catalog", "credential", "token"), required=False),
            )
        elif credential_value is not None:
            self._issue(("catalog", "credential"), "is not a mapping", "give client_id + client_secret, or token")
        access_delegation = self._string(section, ("catalog", "access_delegation"))
        if access_delegation not in (None, "none", "vended-credentials"):
            self._issue(
                ("catalog", "access_delegation"),
                f"is {json.dumps(access_delegation)}",
                "use none or vended-credentials",
            )
        return CatalogSettings(
            type=type_ or "",
            uri=uri or "",
            warehouse=warehouse or "",
            scope=self._string(section, ("catalog", "scope")) or "",
            access_delegation=access_delegation or "",
            headers=headers,
            credential=credential,
            prefix=self._string(section, ("catalog", "prefix"), required=False),
            oauth2_server_uri=self._url(section, ("catalog", "oauth2_server_uri"), ("http", "https"), required=False),
            name=self._string(section, ("catalog", "name"), required=False) or "floe",
        )

    def _sql_uri(self, section: Mapping[str, Any]) -> str | None:
        """The database of a SQL catalog; like libs/config, it is never quoted (it may hold a user)."""
        uri = self._string(section, ("catalog", "uri"))
        if uri is None:
            return None
        if not _SQL_URI.match(uri):
            self._issue(
                ("catalog", "uri"),
                "is not a SQL catalog database for type sql",
                "write sqlite:////absolute/path/catalog.db (embedded) or postgresql://user@host:5432/database",
            )
        elif uri.lower().startswith("postgres") and _password_of(uri):
            self._issue(
                ("catalog", "uri"),
                "holds a database password",
                "drop the password from the URL and set PGPASSWORD in the environment",
            )
        return uri

    def storage(self) -> StorageSettings | None:
        section = self._section("storage")
        if section is None:
            return None
        staging = section.get("staging")
        bucket = prefix = location = None
        if isinstance(staging, dict):
            bucket = self._string(staging, ("storage", "staging", "bucket"), required=False)
            location = self._string(staging, ("storage", "staging", "location"), required=False)
            prefix = self._string(staging, ("storage", "staging", "prefix"))
            if (bucket is None) == (location is None):
                self._issue(
                    ("storage", "staging", "bucket" if bucket is None else "location"),
                    "is missing" if bucket is None else "is set together with bucket",
                    "give the S3 bucket producers stage in (bucket: floe-staging), or a local folder "
                    "(location: file:///var/lib/floe/staging), not both",
                )
            if location is not None and not re.match(r"^file:///.", location):
                self._issue(
                    ("storage", "staging", "location"),
                    f"is {json.dumps(location)}, not a file:/// URI of a local folder",
                    "write an absolute folder as a URI, e.g. location: file:///var/lib/floe/staging",
                )
        else:
            self._issue(("storage", "staging"), "is missing", "add staging: {bucket: …, prefix: staging/}")
        return StorageSettings(
            region=self._string(section, ("storage", "region")) or "",
            path_style=self._boolean(section, ("storage", "path_style")),
            staging=StagingSettings(bucket=bucket or "", prefix=prefix or "", location=location),
            max_staged_object_bytes=self._integer(section, ("storage", "max_staged_object_bytes")),
            endpoint=self._url(section, ("storage", "endpoint"), ("http", "https"), required=False),
            access_key_id=self._string(section, ("storage", "access_key_id"), required=False),
            secret_access_key=self._string(section, ("storage", "secret_access_key"), required=False),
            session_token=self._string(section, ("storage", "session_token"), required=False),
        )

    def queue(self) -> QueueSettings | None:
        section = self._section("queue")
        if section is None:
            return None
        return QueueSettings(
            redis_url=self._url(section, ("queue", "redis_url"), ("redis", "rediss")) or "",
            prefix=self._string(section, ("queue", "prefix")) or "",
            write_queue=self._string(section, ("queue", "write_queue")) or "",
            maintenance_queue=self._string(section, ("queue", "maintenance_queue")) or "",
        )

    # -- field readers -------------------------------------------------------------------------

    def _issue(self, path: tuple[str, ...], problem: str, fix: str) -> None:
        self.issues.append(ArtifactsIssue(".".join(path), problem, fix))

    def _section(self, name: str) -> dict[str, Any] | None:
        section = self.document.get(name)
        if isinstance(section, dict):
            return section
        self._issue(
            (name,),
            "is missing" if section is None else "is not a mapping",
            "regenerate the artifacts with `npm run floe -- compile`",
        )
        return None

    def _string(self, section: Mapping[str, Any], path: tuple[str, ...], required: bool = True) -> str | None:
        value = section.get(path[-1])
        if value is None:
            if required:
                self._issue(path, "is missing", "regenerate the artifacts with `npm run floe -- compile`")
            return None
        if not isinstance(value, str):
            self._issue(path, f"is {_kind(value)}, expected a string", "regenerate it with `npm run floe -- compile`")
            return None
        if keeps_reference(path) and "${" in value:
            return self._interpolate(value, path)
        return value

    def _url(
        self, section: Mapping[str, Any], path: tuple[str, ...], schemes: tuple[str, ...], required: bool = True
    ) -> str | None:
        value = self._string(section, path, required)
        if value is None or value == "":
            return value
        scheme, separator, rest = value.partition("://")
        if not separator or scheme.lower() not in schemes or rest == "":
            shown = "[REDACTED]" if keeps_reference(path) else json.dumps(value)
            self._issue(path, f"is {shown}, not a {'/'.join(s + '://' for s in schemes)} URL", "give a full URL")
        return value

    def _boolean(self, section: Mapping[str, Any], path: tuple[str, ...]) -> bool:
        value = section.get(path[-1])
        if not isinstance(value, bool):
            self._issue(
                path, f"is {json.dumps(value)}, expected true or false", "regenerate it with `npm run floe -- compile`"
            )
            return False
        return value

    def _integer(self, section: Mapping[str, Any], path: tuple[str, ...]) -> int:
        value = section.get(path[-1])
        if isinstance(value, bool) or not isinstance(value, int):
            self._issue(
                path, f"is {json.dumps(value)}, expected an integer", "regenerate it with `npm run floe -- compile`"
            )
            return 0
        return value

    def _interpolate(self, template: str, path: tuple[str, ...]) -> str:
        value, issues, resolved = resolve_references(template, path, self.env)
        self.issues.extend(issues)
        self.resolved_values.extend(resolved)
        return value


def _password_of(uri: str) -> str | None:
    try:
        return urlsplit(uri).password
    except ValueError:  # an unparseable port: not this check's concern
        return None


def resolve_references(
    template: str, path: tuple[str, ...], env: Mapping[str, str]
) -> tuple[str, list[ArtifactsIssue], list[str]]:
    """``template`` with its ``${env:…}`` references resolved (libs/config's rules), the issues
    found and the values read from the environment (to scrub from messages)."""
    where = ".".join(path)
    issues: list[ArtifactsIssue] = []
    resolved: list[str] = []

    def replace(match: re.Match[str]) -> str:
        escape, body = match.group(1), match.group(2)
        if escape is not None:
            return match.group(0)[1:]
        reference = _ENV_REFERENCE.match(body)
        if reference is None:
            issues.append(
                ArtifactsIssue(
                    where,
                    f"has the unsupported placeholder `${{{body}}}`",
                    "write ${env:NAME} or ${env:NAME:-default}, or $${…} for a literal",
                )
            )
            return ""
        name, fallback = reference.group(1), reference.group(2)
        from_env = env.get(name)
        if from_env:
            resolved.append(from_env)
        if fallback is not None:
            return from_env if from_env else fallback
        if from_env is None:
            secret = path in _SECRET_FIELDS
            issues.append(
                ArtifactsIssue(
                    where,
                    f"environment variable {name} is not set",
                    f"export {name} in the environment of the Dagster process"
                    + ("" if secret else f", or give a default with ${{env:{name}:-value}}"),
                )
            )
            return ""
        return from_env

    return _PLACEHOLDER.sub(replace, template), issues, resolved
