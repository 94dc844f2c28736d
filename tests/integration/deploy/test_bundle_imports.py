"""The bundle imports in a clean venv holding only functions/requirements.txt, as Cloud Build would.

Cloud Build receives the functions source (``functions/`` plus the vendored packages),
installs ``requirements.txt`` and loads each entry point with functions-framework. This
test does the same in a temporary directory: a dependency the framework or the example
app imports but ``requirements.txt`` lacks, a package that is not vendored, or an entry
point listed in ``functions.yaml`` that ``main.py`` does not define fails here, not in
production. It needs PyPI (or the installer's cache) for the install.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flask_boiler.deploy.bundle import build_bundle
from flask_boiler.deploy.defaults import load_settings

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.timeout(900)

# Run inside the bundle with the clean venv's interpreter: nothing of the checkout is importable.
PROBE = r"""
import json, os, sys
bundle = os.getcwd()
sys.path.insert(0, bundle)
manifest = json.loads(open("functions.yaml").read().split("\n", 1)[1])
import functions_framework
import main
import flask_boiler, shared_models
checked = {}
for name, endpoint in manifest["endpoints"].items():
    target = getattr(main, endpoint["entryPoint"])
    signature = "http" if "httpsTrigger" in endpoint else "cloudevent"
    app = functions_framework.create_app(target=endpoint["entryPoint"], source=os.path.join(bundle, "main.py"),
                                         signature_type=signature)
    checked[name] = {"signature": signature, "callable": callable(target), "app": type(app).__name__}
print(json.dumps({
    "flask_boiler": flask_boiler.__file__,
    "shared_models": shared_models.__file__,
    "endpoints": checked,
    "sys_path": sys.path,
}))
"""


def _install_commands(env_dir: Path, requirements: Path) -> list[list[str]]:
    """A clean venv holding exactly ``requirements``: with uv (a dev dependency; seconds, from its
    cache) when it is there, else with venv and pip as Cloud Build's buildpack does (a minute)."""
    uv = Path(sys.executable).with_name("uv")
    python = str(env_dir / "bin" / "python")
    if uv.exists():
        return [
            [str(uv), "venv", "--quiet", "--python", sys.executable, str(env_dir)],
            [str(uv), "pip", "install", "--quiet", "--python", python, "-r", str(requirements)],
        ]
    return [
        [sys.executable, "-m", "venv", "--clear", str(env_dir)],
        [python, "-m", "pip", "install", "--quiet", "-r", str(requirements)],
    ]


@pytest.fixture(scope="module")
def bundle_env(tmp_path_factory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("cloud-build")
    bundle = work / "source"
    build_bundle(ROOT, bundle, load_settings(ROOT).vendor)
    env_dir = work / "venv"
    for command in _install_commands(env_dir, bundle / "requirements.txt"):
        install = subprocess.run(command, capture_output=True, text=True, timeout=800)
        assert install.returncode == 0, f"{' '.join(command)} failed:\n{install.stderr[-3000:]}"
    return bundle, env_dir / "bin" / "python"


def test_every_manifest_entry_point_loads_from_the_bundle(bundle_env):
    bundle, python = bundle_env
    clean_env = {"PATH": "/usr/bin:/bin", "HOME": str(bundle.parent), "GOOGLE_CLOUD_PROJECT": "demo-flask-boiler"}
    result = subprocess.run(
        [str(python), "-I", "-c", PROBE], cwd=bundle, capture_output=True, text=True, timeout=300, env=clean_env
    )
    assert result.returncode == 0, f"importing the bundle failed:\n{result.stderr[-4000:]}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["flask_boiler"].startswith(str(bundle)), report["flask_boiler"]
    assert report["shared_models"].startswith(str(bundle)), report["shared_models"]
    assert not any(str(ROOT) == entry or entry.startswith(str(ROOT) + "/") for entry in report["sys_path"])
    manifest = json.loads((bundle / "functions.yaml").read_text().split("\n", 1)[1])
    assert set(report["endpoints"]) == set(manifest["endpoints"])
    assert all(info["callable"] for info in report["endpoints"].values())
    assert report["endpoints"]["health"]["signature"] == "http"


def test_the_bundle_carries_no_venv_and_the_current_manifest(bundle_env):
    bundle, _ = bundle_env
    assert not (bundle / "venv").exists()
    assert (bundle / "functions.yaml").read_text() == (ROOT / "functions" / "functions.yaml").read_text()
