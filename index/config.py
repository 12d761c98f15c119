"""Typed settings loaded from YAML: shipped defaults, then the user's file, then environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from index import parsed_config, resources


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file, the key and the problem."""


@dataclass
class LibrarySettings:
    path: str | None = None
    seed_demo: bool = True


@dataclass
class SearchSettings:
    limit: int = 20
    title_boost: float = 3.0
    fuzzy: bool = True
    fuzzy_min_hits: int = 1
    fuzzy_candidates: int = 3
    prefix_min_chars: int = 4
    prefix_expansions: int = 10
    expansion_budget: int = 5000
    partial_below: int = 10


@dataclass
class IngestSettings:
    max_file_bytes: int = 64 * 1024 * 1024
    max_paragraph_chars: int = 4000
    max_article_chars: int = 4_000_000
    url_timeout: float = 15
    url_max_bytes: int = 16 * 1024 * 1024
    max_redirects: int = 5
    # During an add, entities and the index catch up with the stored articles this often.
    index_every: int = 100_000
    # A large add finds entities in a worker process while this one stores and indexes.
    extract_in_background: bool = True
    # A large index write (an add, a rebuild) gives half its documents to a helper process.
    index_in_background: bool = True


@dataclass
class UISettings:
    theme: str = "textual-dark"
    search_debounce_ms: int = 80
    finder_limit: int = 30
    refresh_on_start: bool = False
    auto_refresh: bool = False


@dataclass
class FeedSettings:
    refresh_minutes: float = 60
    backoff_max_minutes: float = 1440
    concurrency: int = 8
    full_text_max: int = 50


@dataclass
class EntitySettings:
    backend: str = "builtin"  # builtin | spacy | none
    spacy_model: str = "en_core_web_sm"


@dataclass
class Settings:
    library: LibrarySettings = field(default_factory=LibrarySettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    ui: UISettings = field(default_factory=UISettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    entities: EntitySettings = field(default_factory=EntitySettings)
    keymap: dict[str, str] = field(default_factory=dict)
    # Which files the settings came from, for messages.
    sources: list[str] = field(default_factory=list)


def user_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("newsreader", appauthor=False)) / "config.yaml"


def load_settings(config_file: str | os.PathLike | None = None) -> Settings:
    """Shipped defaults, overlaid by the first of: `config_file`, $NEWSREADER_CONFIG, the
    user's config file (if it exists)."""
    settings = Settings()
    shipped = resources.config_path()
    _apply(settings, _read(shipped), str(shipped))
    settings.sources.append(str(shipped))
    chosen: Path | None = None
    if config_file:
        chosen = Path(config_file)
    elif os.environ.get("NEWSREADER_CONFIG"):
        chosen = Path(os.environ["NEWSREADER_CONFIG"])
    elif user_config_path().is_file():
        chosen = user_config_path()
    if chosen is not None:
        if not chosen.is_file():
            raise ConfigError(f"{chosen}: config file not found")
        _apply(settings, _read(chosen), str(chosen))
        settings.sources.append(str(chosen))
    return settings


def _read(path: Path) -> dict[str, Any]:
    data = parsed_config.parsed(path, parse_yaml)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return data


def parse_yaml(path: Path) -> Any:
    """A config file parsed as YAML; its failures as ConfigError naming the file and where."""
    import yaml  # only when a file changed: see index.parsed_config

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: not valid YAML{at}: {problem}") from None


def _apply(target: Any, data: dict[str, Any], path: str, prefix: str = "") -> None:
    known = {f.name: f for f in fields(target) if f.name != "sources"}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in known:
            choices = ", ".join(sorted(known))
            raise ConfigError(f"{path}: unknown key '{dotted}' (expected one of: {choices})")
        current = getattr(target, key)
        if is_dataclass(current):
            if value is None:
                continue
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: '{dotted}' must be a mapping of settings")
            _apply(current, value, path, dotted + ".")
        elif key == "keymap":
            setattr(target, key, _keymap(value, path))
        else:
            setattr(target, key, _coerce(known[key], current, value, path, dotted))


def _coerce(spec: Any, current: Any, value: Any, path: str, dotted: str) -> Any:
    declared = str(spec.type)
    if value is None:
        if "None" in declared:
            return None
        raise ConfigError(f"{path}: '{dotted}' must not be empty")
    if isinstance(current, bool) or declared == "bool":
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{path}: '{dotted}' must be true or false, not {value!r}")
    if declared == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise ConfigError(f"{path}: '{dotted}' must be a whole number ≥ 0, not {value!r}")
    if declared == "float":
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
        raise ConfigError(f"{path}: '{dotted}' must be a number ≥ 0, not {value!r}")
    if isinstance(value, str):
        return value
    raise ConfigError(f"{path}: '{dotted}' must be text, not {value!r}")


def _keymap(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"{path}: 'keymap' must map binding ids to keys, e.g. search: \"/\"")
    return dict(value)
