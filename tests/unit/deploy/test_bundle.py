"""The deployable bundle: functions/ plus vendored packages, never a credential, never a foreign directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flask_boiler.deploy.bundle import (
    MARKER,
    BundleError,
    CredentialFileError,
    build_bundle,
    credential_kind,
    find_credentials,
    unvendor,
    vendor,
    vendored_copies,
)

SERVICE_ACCOUNT_KEY = {
    "type": "service_account",
    "project_id": "demo",
    "private_key_id": "abc",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC\n-----END PRIVATE KEY-----\n",
    "client_email": "deployer@demo.iam.gserviceaccount.com",
}


@pytest.fixture
def project(tmp_path) -> Path:
    """A minimal project: functions/ with a venv to ignore, two packages to vendor."""
    (tmp_path / "firebase.json").write_text(
        json.dumps({"functions": [{"source": "functions", "ignore": ["venv", "__pycache__", "*.pyc"]}]})
    )
    functions = tmp_path / "functions"
    (functions / "venv" / "lib").mkdir(parents=True)
    (functions / "venv" / "lib" / "key.json").write_text(json.dumps(SERVICE_ACCOUNT_KEY))  # ignored: never uploaded
    (functions / "main.py").write_text("import app\n")
    (functions / "requirements.txt").write_text("")
    for package in ("core", "app"):
        (tmp_path / package / "__pycache__").mkdir(parents=True)
        (tmp_path / package / "__init__.py").write_text(f"NAME = {package!r}\n")
        (tmp_path / package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    return tmp_path


def test_build_bundle_needs_a_fresh_directory(project, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "stale.py").write_text("")
    with pytest.raises(BundleError, match="not empty"):
        build_bundle(project, target, ["core"])


def test_vendor_and_unvendor_in_place(project):
    report = vendor(project, ["core", "app"])
    assert sorted(report.packages) == ["app", "core"]
    assert (project / "functions" / "core" / MARKER).is_file()
    assert not (project / "functions" / "core" / "__pycache__").exists()
    assert "core/__init__.py" in report.files and not any(f.startswith("venv/") for f in report.files)
    vendor(project, ["core", "app"])  # again: replaces its own copies
    assert len(vendored_copies(project, ["core", "app"])) == 2
    assert unvendor(project, ["core", "app"]) == [project / "functions" / "core", project / "functions" / "app"]
    assert not (project / "functions" / "core").exists()
    assert unvendor(project, ["core", "app"]) == []


def test_vendor_refuses_to_replace_a_directory_it_did_not_create(project):
    (project / "functions" / "core").mkdir()
    (project / "functions" / "core" / "handwritten.py").write_text("x = 1\n")
    with pytest.raises(BundleError, match="not a vendored copy"):
        vendor(project, ["core"])
    assert unvendor(project, ["core"]) == []
    assert (project / "functions" / "core" / "handwritten.py").is_file()


@pytest.mark.parametrize(
    ("relative", "content"),
    [
        ("app/credentials.json", json.dumps(SERVICE_ACCOUNT_KEY)),
        (
            "app/config/firebase-adminsdk.json",
            json.dumps({k: v for k, v in SERVICE_ACCOUNT_KEY.items() if k != "type"}),
        ),
        ("app/adc.json", json.dumps({"type": "authorized_user", "refresh_token": "1//x", "client_id": "c"})),
        ("app/server.pem", SERVICE_ACCOUNT_KEY["private_key"] + "A" * 64),
    ],
)
def test_credentials_in_vendored_packages_are_refused(project, relative, content):
    (project / relative).parent.mkdir(parents=True, exist_ok=True)
    (project / relative).write_text(content)
    with pytest.raises(CredentialFileError) as info:
        vendor(project, ["core", "app"])
    assert info.value.files and info.value.files[0].startswith(relative)
    assert vendored_copies(project, ["core", "app"]) == []  # nothing half-vendored is left behind
    with pytest.raises(CredentialFileError):
        build_bundle(project, project / "out", ["core", "app"])
    assert not (project / "out").exists()


def test_a_key_dropped_into_functions_itself_is_refused(project):
    (project / "functions" / "service-account.json").write_text(json.dumps(SERVICE_ACCOUNT_KEY))
    with pytest.raises(CredentialFileError, match="service-account.json"):
        vendor(project, ["core"])


def test_ordinary_files_are_not_credentials(tmp_path):
    samples = {
        "settings.json": json.dumps({"type": "config", "private": True}),
        "package.json": json.dumps({"name": "x"}),
        "bundle.py": 'PATTERN = "-----BEGIN PRIVATE KEY-----"  # a mention, not a key\n',
        "data.json": "[1, 2, 3]",
    }
    for name, text in samples.items():
        (tmp_path / name).write_text(text)
        assert credential_kind(tmp_path / name) is None, name
    assert find_credentials(tmp_path) == []


def test_packages_missing_from_the_project_are_vendored_from_where_they_are_installed(project, tmp_path):
    """A project made with `flask-boiler new` has the framework in its venv, not beside functions/."""
    report = build_bundle(project, tmp_path / "bundle", ["app", "flask_boiler"])
    assert report.packages == ["app", "flask_boiler"]
    assert (tmp_path / "bundle" / "flask_boiler" / "deploy" / "bundle.py").is_file()
    with pytest.raises(BundleError, match="no installed package"):
        build_bundle(project, tmp_path / "other", ["no_such_package_anywhere"])
