"""Settings, read once at the edge (the CLI entry point) and passed down as arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, field_validator
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
    hf_endpoint: str = Field(
        default="https://huggingface.co",
        validation_alias=AliasChoices("MODELATLAS_HF_ENDPOINT", "HF_ENDPOINT"),
        description="The Hugging Face Hub to sync from (HF_ENDPOINT, as huggingface_hub reads it).",
    )
    hf_token: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MODELATLAS_HF_TOKEN", "HF_TOKEN"),
        description="A Hugging Face token (HF_TOKEN); without one, the saved `hf auth login`, if any.",
    )
    cache_dir: Path = Field(
        default_factory=lambda: platformdirs.user_cache_path("modelatlas"),
        description="Where answers fetched for the calculator are kept between runs (Hub config.json files).",
    )
    request_interval: float = Field(
        default=0.1, ge=0, description="Seconds between two requests to the Hub or to GitHub."
    )
    arxiv_url: str = Field(
        default="https://export.arxiv.org/api/query",
        description="The arXiv API query endpoint to sync from.",
    )
    arxiv_interval: float = Field(
        default=3.0, ge=0, description="Seconds between two arXiv requests (arXiv's terms ask for 3)."
    )
    github_url: str = Field(default="https://api.github.com", description="The GitHub REST API to sync from.")
    github_token: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MODELATLAS_GITHUB_TOKEN", "GITHUB_TOKEN"),
        description="A GitHub token (GITHUB_TOKEN): 5,000 requests an hour instead of 60.",
    )

    warm: bool = Field(
        default=False,
        description="Compute what the pages show (analyses, charts) when the server starts, in the "
        "background, rather than on each page's first visit (`serve` does).",
    )
    keep_views: bool = Field(
        default=True,
        description="Compute the pages' default views (fits, charts, counts) at the end of each build and "
        "keep them in the store, for every worker of `serve` to read rather than compute.",
    )
    base_url: str | None = Field(
        default=None,
        description="The dashboard's public address (https://atlas.example.org), for the Atom feed's links; "
        "unset, they follow the request, whose Host header a client chooses.",
    )

    @field_validator("db")
    @classmethod
    def _url(cls, value: str) -> str:
        return to_db_url(value)
