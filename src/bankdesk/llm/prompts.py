"""Prompts are files in the package, identified by name and by the hash of their content."""

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROMPT_DIR = Path(__file__).parent / "prompts"


@dataclass(frozen=True, slots=True)
class Prompt:
    """A prompt template: its id (file stem), version (content hash) and instructions."""

    id: str
    version: str
    text: str


@cache
def load_prompt(prompt_id: str) -> Prompt:
    """The packaged prompt with this id; every edit to its file is a new version."""
    content = (PROMPT_DIR / f"{prompt_id}.md").read_bytes()
    version = "sha256:" + hashlib.sha256(content).hexdigest()
    return Prompt(id=prompt_id, version=version, text=content.decode("utf-8").strip())
