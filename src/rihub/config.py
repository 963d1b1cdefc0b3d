"""Settings from the environment (prefix ``RIHUB_``), so deployments need no config file."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///rihub.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("RIHUB_DATABASE_URL", DEFAULT_DATABASE_URL),
            host=os.environ.get("RIHUB_HOST", "127.0.0.1"),
            port=int(os.environ.get("RIHUB_PORT", "8000")),
        )
