"""Settings, read once at the edge (the CLI entry point) and passed down as arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "bundled_catalog", "default_db_url", "to_db_url"]


def bundled_catalog() -> Path:
    """The catalog shipped with modelatlas: the repository's ``catalog/`` or the copy inside the wheel."""
    package = Path(__file__).resolve().parent
    for candidate in (package.parents[1] / "catalog", package / "_catalog"):
        if (candidate / "models").is_dir():
            return candidate
    return package.parents[1] / "catalog"


def default_db_url() -> str:
    """SQLite under the XDG data directory, e.g. ``~/.local/share/modelatlas/modelatlas.db``."""
    return to_db_url(str(platformdirs.user_data_path("modelatlas") / "modelatlas.db"))


def to_db_url(value: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (taken as SQLite)."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


class Settings(BaseSettings):
    """modelatlas settings; each can be set in the environment with the ``MODELATLAS_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="MODELATLAS_", extra="ignore")

    db: str = Field(
        default_factory=default_db_url,
        description="The store: a SQLAlchemy URL (sqlite:///…, postgresql://…) or a SQLite file path.",
    )
    catalog: Path = Field(
        default_factory=bundled_catalog,
        description="The catalog directory to validate and build from (default: the bundled catalog).",
    )
    lang: Literal["en", "zh"] = Field(default="en", description="Language of labels and summaries: en or zh.")

    @field_validator("db")
    @classmethod
    def _url(cls, value: str) -> str:
        return to_db_url(value)
