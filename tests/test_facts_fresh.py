"""Provider facts that stay true: review dates, replacement chains, the data's age, and
users' own provider files (extend-data)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from keylint.checks import kl4_endpoints
from keylint.cli import cli
from keylint.extend_data import check_models
from keylint.providers import ProviderDB, data_dir, load, reviewed_date
from keylint.replacements import HORIZON, going, resolve

DB = load()


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, env={}, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


# --- reviewed dates --------------------------------------------------------------------


def test_every_provider_file_says_when_it_was_reviewed() -> None:
    for provider in DB.providers:
        assert reviewed_date(provider) is not None, f"{provider.id}.yaml has no reviewed: date"
    assert DB.reviewed == min(reviewed_date(p) for p in DB.providers)  # type: ignore[type-var]


def test_every_bundled_model_entry_passes_the_extend_data_checks() -> None:
    for provider in DB.providers:
        check_models(provider.raw, f"{provider.id}.yaml")


# --- replacement chains ----------------------------------------------------------------


def bad_recommendations(db: ProviderDB) -> list[str]:
    """Models whose recommended replacement (after following the chain) is itself retired,
    deprecated or scheduled to shut down within 90 days of the data's review date."""
    assert db.reviewed is not None
    on = db.reviewed
    models = kl4_endpoints.index(db).models
    bad = []
    for model in models.values():
        recommended, _ = resolve(models, model, on)
        # "gpt-image-2.6-sunburst or gpt-image-2.6-flare": each named model counts
        for name in recommended.replace(",", " ").split():
            target = models.get(name.lower())
            if target is not None and target is not model and going(target, on):
                when = target.shutdown or "deprecated"
                bad.append(f"{model.name} -> {target.name} ({when})")
    return bad


def test_no_recommended_replacement_is_retired_or_retiring_within_90_days() -> None:
    assert bad_recommendations(DB) == []


def test_the_check_fails_on_a_replacement_that_retires_soon(tmp_path: Path) -> None:
    """The test above can fail: a chain ending on a model that retires in 30 days."""
    soon = DB.reviewed + datetime.timedelta(days=30)  # type: ignore[operator]
    write_provider(
        tmp_path,
        "acme",
        models=[
            {"name": "acme-old-1", "shutdown": "2020-01-01", "replacement": "acme-mid-2"},
            {"name": "acme-mid-2", "shutdown": soon.isoformat(), "replacement": ""},
        ],
    )
    db = load((tmp_path,))
    assert bad_recommendations(db) == [f"acme-old-1 -> acme-mid-2 ({soon})"]


def test_chain_skips_replacements_retiring_within_90_days() -> None:
    idx = kl4_endpoints.index(DB)
    on = datetime.date(2026, 12, 7)
    # gpt-4-32k's announced replacement gpt-4o retires 2027-01-14 (OD#2026-10-14)
    recommended, skipped = resolve(idx.models, idx.models["gpt-4-32k"], on)
    assert recommended == "gpt-6-luna"
    assert [m.name for m in skipped] == ["gpt-4o"]
    # 91 days before gpt-4o's shutdown it is still a fine target
    early = datetime.date(2027, 1, 14) - HORIZON - datetime.timedelta(days=1)
    assert resolve(idx.models, idx.models["gpt-4-32k"], early)[0] == "gpt-4o"


def test_retired_model_message_names_the_working_replacement(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text('client.chat.completions.create(model="o1-preview")\n')
    code, out, _ = run(["--isolated", "--select", "KL451", "app.py"], tmp_path)
    assert code == 1
    # o1-preview -> o3 (shut down 2026-12-11) -> gpt-6.1-sol
    assert "use `gpt-6.1-sol` (the announced replacement `o3` " in out


def test_scheduled_model_message_skips_a_retiring_replacement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kl4_endpoints, "TODAY", datetime.date(2026, 12, 7))
    (tmp_path / "app.py").write_text('client.chat.completions.create(model="gpt-5-mini")\n')
    code, out, _ = run(["--isolated", "--select", "KL452", "app.py"], tmp_path)
    assert code == 0  # info
    assert (
        "app.py:1:39: KL452 `gpt-5-mini` will be shut down on 2026-12-11 (OpenAI); "
        "move to `gpt-6.1-terra`"
    ) in out


def test_deprecated_without_shutdown_is_not_called_shut_down(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text('import cohere\nco.chat(model="command-r", message=m)\n')
    code, out, _ = run(["--isolated", "--select", "KL45", "app.py"], tmp_path)
    assert code == 0
    assert (
        "app.py:2:16: KL452 `command-r` is deprecated since 2025-09-15, no shutdown date "
        "(Cohere); move to `command-r-08-2024`"
    ) in out
    assert "shut down" not in out


# --- the data's age --------------------------------------------------------------------


def test_version_shows_the_review_date(tmp_path: Path) -> None:
    code, out, _ = run(["--version"], tmp_path)
    assert code == 0
    assert out.startswith("keylint ")
    assert out.rstrip().endswith(f"(provider data reviewed {DB.reviewed})")


@pytest.mark.parametrize(("age", "noted"), [(120, False), (121, True)])
def test_one_note_when_the_data_is_older_than_120_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, age: int, noted: bool
) -> None:
    assert DB.reviewed is not None
    monkeypatch.setattr(kl4_endpoints, "TODAY", DB.reviewed + datetime.timedelta(days=age))
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    code, out, err = run(["--isolated", "."], tmp_path)
    assert code == 0 and "no problems in 2 file(s)" in out
    expected = f"keylint: note: the provider data was reviewed on {DB.reviewed}, {age} days ago: "
    assert err.count(expected) == (1 if noted else 0)
    _, _, quiet_err = run(["--isolated", "-q", "."], tmp_path)
    assert "provider data" not in quiet_err


# --- extend-data -----------------------------------------------------------------------


def write_provider(directory: Path, pid: str, **sections: object) -> Path:
    data: dict[str, object] = {
        "id": pid,
        "name": pid.capitalize(),
        "reviewed": "2026-12-07",
        "keys": [],
    }
    for key, value in sections.items():
        if key == "models":
            value = [{"source": "acme.example/deprecations", **m} for m in value]  # type: ignore[attr-defined]
        data[key] = value
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{pid}.yaml"
    # dates as YAML dates, as the bundled files write them
    text = yaml.safe_dump(data, sort_keys=False)
    for model in data.get("models", []):  # type: ignore[union-attr]
        for key in ("shutdown", "deprecated"):
            if key in model:
                text = text.replace(f"'{model[key]}'", str(model[key]))
    text = text.replace("reviewed: '2026-12-07'", "reviewed: 2026-12-07")
    path.write_text(text, encoding="utf-8")
    return path


def project(tmp_path: Path, extend: str = '["facts"]') -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.keylint]\nextend-data = {extend}\n")
    return tmp_path


def test_extend_data_adds_a_provider(tmp_path: Path) -> None:
    root = project(tmp_path)
    write_provider(
        root / "facts",
        "acme",
        models=[{"name": "acme-old-1", "shutdown": "2020-01-01", "replacement": "acme-new-2"}],
    )
    (root / "app.py").write_text('resp = client.complete(model="acme-old-1")\n')
    code, out, err = run(["--select", "KL451", "app.py"], root)
    assert (code, err) == (1, "")
    assert (
        "app.py:1:31: KL451 `acme-old-1` was shut down on 2020-01-01 (Acme); use `acme-new-2`"
        in out
    )


def test_extend_data_overrides_a_bundled_provider(tmp_path: Path) -> None:
    root = project(tmp_path)
    bundled = (data_dir() / "providers" / "anthropic.yaml").read_text(encoding="utf-8")
    changed = bundled.replace(
        "{name: claude-2.1, shutdown: 2025-07-21, replacement: claude-sonnet-4-6,",
        "{name: claude-2.1, shutdown: 2025-07-21, replacement: claude-house-model,",
    )
    assert changed != bundled
    (root / "facts").mkdir()
    (root / "facts" / "anthropic.yaml").write_text(changed, encoding="utf-8")
    (root / "app.py").write_text('client.messages.create(model="claude-2.1")\n')
    code, out, _ = run(["--select", "KL451", "app.py"], root)
    assert code == 1
    assert "use `claude-house-model`" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id: acme\nname: Acme\nkeys: [\n", "invalid YAML at line"),
        ("id: other\nname: Acme\nkeys: []\n", "id 'other' must match the file name"),
        (
            "id: acme\nname: Acme\nkeys: []\nmodels:\n  - {name: m-1, shutdown: soon, source: x}\n",
            "models[0]: 'shutdown' must be a date",
        ),
        (
            "id: acme\nname: Acme\nkeys:\n"
            "  - {id: k, label: K, regex: '([', charset: a, sample: a}\n",
            "bad regex",
        ),
        (
            "id: acme\nname: Acme\nkeys:\n"
            "  - {id: k, label: K, prefix: ak-, regex: 'ak-[0-9]{8}', charset: a-z, "
            "sample: 'ak-{8}'}\n",
            "key k: a key built from 'sample' does not match 'regex'",
        ),
        (
            "id: acme\nname: Acme\nkeys: []\nenv:\n  reads: [ACME_KEY]\n  legacy: oops\n",
            "acme.yaml",
        ),
        ("id: acme\nname: Acme\nkeys: []\nhosts: 5\n", "'hosts' must be a list of strings"),
        (
            "id: acme\nname: Acme\nkeys: []\nsdk: {packages: 3}\n",
            "acme.yaml: a section has a shape keylint cannot use",
        ),
    ],
)
def test_a_broken_extend_data_file_is_a_config_error(
    tmp_path: Path, content: str, message: str
) -> None:
    root = project(tmp_path)
    (root / "facts").mkdir()
    (root / "facts" / "acme.yaml").write_text(content, encoding="utf-8")
    (root / "app.py").write_text("x = 1\n")
    code, out, err = run(["app.py"], root)
    assert code == 2
    assert err.startswith("keylint: error: extend-data: ") and message in err
    assert "Traceback" not in err and out == ""


def test_a_missing_extend_data_directory_is_a_config_error(tmp_path: Path) -> None:
    root = project(tmp_path, '["nowhere"]')
    (root / "app.py").write_text("x = 1\n")
    code, _, err = run(["app.py"], root)
    assert code == 2 and "extend-data:" in err and "no such directory" in err
