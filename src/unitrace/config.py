"""unitrace's configuration, read from the environment by the faces (CLI, HTTP) only.

| variable | meaning | default |
| --- | --- | --- |
| ``UNITRACE_RESOLVER_BASE`` | the resolver domain (and path) printed in GS1 Digital Link URIs | ``https://id.gs1.org`` |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from unitrace.gs1 import DEFAULT_RESOLVER_BASE


@dataclass(frozen=True, slots=True)
class Settings:
    resolver_base: str = DEFAULT_RESOLVER_BASE

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environment is None else environment
        return cls(resolver_base=env.get("UNITRACE_RESOLVER_BASE") or DEFAULT_RESOLVER_BASE)
