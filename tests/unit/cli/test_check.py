"""``check`` names every stale generated file at once, with the exact command fixing them, and
``main.py`` disagreeing with the settings, whatever file the user changed."""

from __future__ import annotations

import sys

from .conftest import flask_boiler

BOARD = (
    '"""A board per task."""\n\nfrom __future__ import annotations\n\nfrom typing import Any\n\n'
    "from flask_boiler import fields, schema\nfrom flask_boiler.views import ViewModel, signed_in, source\n\n"
    "from .domain import Task\n\n\nclass BoardSchema(schema.Schema):\n    count = fields.Integer()\n\n\n"
    "class Board(ViewModel):\n    class Meta:\n        schema_cls = BoardSchema\n"
    '        path = "boards/{task_id}"\n        access = signed_in()\n\n'
    '    task = source(Task, "tasks/{task_id}")\n\n    def compute(self) -> dict[str, Any]:\n'
    '        return {"count": 1}\n'
)


def test_a_fresh_project_is_up_to_date(project):
    result = flask_boiler(project, "check")
    assert result.returncode == 0, result.stderr
    assert "up to date: functions/functions.yaml, firestore.rules, firestore.indexes.json" in result.stdout


def test_a_new_view_model_makes_every_file_it_touches_stale_at_once(project, edit):
    """The user adds a view (and lists it): manifest and rules are both stale, in one report."""
    (project / "team_tasks" / "board.py").write_text(BOARD)
    edit("team_tasks/__init__.py", "VIEW_MODELS = (TaskCard,)", "VIEW_MODELS = (TaskCard, Board)")
    edit(
        "team_tasks/__init__.py",
        "from .views import TaskCard\n",
        "from .board import Board\nfrom .views import TaskCard\n",
    )
    edit("pyproject.toml", "timeout = 60", "timeout = 90")

    result = flask_boiler(project, "check")
    assert result.returncode == 1
    assert "error: 2 generated files are out of date:" in result.stderr
    assert "functions/functions.yaml" in result.stderr and "firestore.rules" in result.stderr
    # The exact command, with this interpreter (not a bare `python`).
    assert f"fix: {sys.executable} -m flask_boiler generate" in result.stderr

    assert flask_boiler(project, "generate").returncode == 0
    fixed = flask_boiler(project, "check")
    assert fixed.returncode == 0, fixed.stderr
    assert "match /boards/{task_id}" in (project / "firestore.rules").read_text()
    assert '"timeoutSeconds": 90' in (project / "functions" / "functions.yaml").read_text()


def test_main_exporting_triggers_the_settings_do_not_list_is_reported(project, edit):
    """The issue's case: main.py deploys a view's triggers, the settings (so the rules) do not know it."""
    edit("pyproject.toml", 'view-models = "team_tasks:VIEW_MODELS"', 'view-models = "team_tasks:NO_VIEWS"')
    edit("team_tasks/__init__.py", "VIEW_MODELS = (TaskCard,)", "VIEW_MODELS = (TaskCard,)\nNO_VIEWS = ()")
    result = flask_boiler(project, "check")
    assert result.returncode == 1
    assert "functions/main.py exports the view trigger on_tasks_written (tasks/{doc_id})" in result.stderr
    assert "firestore.rules" in result.stderr  # and the rules generated from the settings changed too


def test_settings_listing_views_main_does_not_deploy_are_reported(project, edit):
    edit("functions/main.py", "export_view_triggers(globals(), team_tasks.VIEW_MODELS)", "")
    edit("functions/main.py", "from flask_boiler.triggers import export_view_triggers\n", "")
    result = flask_boiler(project, "check")
    assert result.returncode == 1
    assert "functions/main.py exports no trigger on_tasks_written" in result.stderr
    assert "fix: " in result.stderr  # the manifest lost the trigger: stale as well


def test_a_generator_that_fails_does_not_hide_the_others(project, edit):
    edit("functions/main.py", "import team_tasks\n", "import team_tasks\nimport no_such_module  # noqa\n")
    (project / "firestore.indexes.json").write_text("{}\n")
    result = flask_boiler(project, "check")
    assert result.returncode == 1
    assert "the manifest generator failed" in result.stderr and "no_such_module" in result.stderr
    assert "firestore.indexes.json" in result.stderr and f"{sys.executable} -m flask_boiler indexes" in result.stderr


def test_bad_settings_are_one_clear_error(project, edit):
    edit("pyproject.toml", 'memory = "256MiB"', 'memory = "300MiB"')
    result = flask_boiler(project, "check")
    assert result.returncode == 1
    assert "[tool.flask-boiler.functions]" in result.stderr and "'memory'" in result.stderr


def test_environment_variables_are_written_to_functions_dotenv(project):
    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text() + '\n[tool.flask-boiler.functions.env]\nLOG_LEVEL = "info"\n'
    )
    assert flask_boiler(project, "check").returncode == 1  # functions/.env does not exist yet
    assert flask_boiler(project, "generate").returncode == 0
    dotenv = (project / "functions" / ".env").read_text()
    assert dotenv.startswith("# Generated") and 'LOG_LEVEL="info"' in dotenv
    assert flask_boiler(project, "check").returncode == 0


def test_a_view_added_to_main_but_not_to_the_settings_is_reported(project, edit):
    """The issue's case, where no trigger is missing: Board reads tasks, which TaskCard's trigger
    watches already, so the manifest keeps its shape; the settings do not list Board, so its
    rules would stay closed. `check` must say so."""
    (project / "team_tasks" / "board.py").write_text(BOARD)
    edit("functions/main.py", "import team_tasks\n", "import team_tasks\nfrom team_tasks.board import Board\n")
    edit("functions/main.py", "globals(), team_tasks.VIEW_MODELS)", "globals(), (*team_tasks.VIEW_MODELS, Board))")
    result = flask_boiler(project, "check")
    assert result.returncode == 1
    assert "team_tasks.board.Board is a view model of the app, but neither view-models" in result.stderr
    assert "out of date" not in result.stderr  # nothing to regenerate: the settings must change
