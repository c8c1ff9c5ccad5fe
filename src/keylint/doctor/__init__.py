"""``keylint doctor``: why the key does not work on *this* machine.

The static scan answers "what is wrong in the repository"; the doctor answers "what will the
app actually use here": for each provider variable the project reads, every place its value
comes from (your shell, each dotenv file the code loads, in load order), which one wins and
why, and what is wrong with it — then the installed SDKs against the code, and the network
path. Values are never shown: redacted forms and fingerprints only.

Verification is a pluggable step (:data:`VerifyStep`): ``diagnose(..., verify=step)`` runs it
on the effective key of each provider and on the shadowed ones, labelled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from keylint.checks.envnames import EnvData, env_data
from keylint.config import Settings
from keylint.doctor import effective, loaders, network, sdks
from keylint.doctor.model import Diagnosis, Level, Package, Plan, Problem, Variable
from keylint.doctor.scan import Scan, scan
from keylint.pins import detect, normalize
from keylint.providers import ProviderDB
from keylint.providers import load as load_db

# (provider id, raw key) -> a verdict ("valid", "revoked", "unreachable: DNS", ...). The raw
# key goes to the step and nowhere else.
VerifyStep = Callable[[str, str], str]
_GOOD_VERDICTS = frozenset({"valid", "live", "ok"})

__all__ = ["Diagnosis", "VerifyStep", "diagnose"]


def diagnose(
    root: Path,
    environ: Mapping[str, str],
    settings: Settings | None = None,
    db: ProviderDB | None = None,
    verify: VerifyStep | None = None,
) -> Diagnosis:
    db = db or load_db()
    settings = settings or Settings()
    root = root.resolve()
    env = dict(environ)
    found = scan(root, db, settings)
    loads = loaders.plans(found.targets, root, env, db)
    data = env_data(db)
    providers = _providers_in_use(found, db, data, loads.plans[0])
    interest = _interest(found, db, data, providers)
    diagnosis = Diagnosis(str(root), plans=list(loads.plans))
    python_env = sdks.python_env(root, env)
    packages, sdk_problems = sdks.check(found, db, python_env, detect(root), providers)
    diagnosis.packages = packages
    raws: dict[str, str] = {}
    main_env: dict[str, str] = {}
    problems: list[Problem] = []
    resolved = []
    for index, plan in enumerate(loads.plans):
        variables, current, plan_raws = effective.resolve(
            plan, interest, env, db, loads.compose_env.get(plan.name)
        )
        if index == 0:
            main_env, raws = current, plan_raws
        resolved.append((plan, variables))
    # Values only a pydantic-settings class reads (from its env_file), by variable.
    in_settings = {
        v.name: (plan, v)
        for plan, variables in resolved
        if plan.name.startswith("pydantic-settings")
        for v in variables
        if v.effective is not None and v.effective.step.kind == "dotenv"
    }
    for index, (plan, variables) in enumerate(resolved):
        known = frozenset(loads.plans[0].steps) if index else frozenset()
        python = plan.name in ("python app", "flask run")
        for variable in variables:
            problems.extend(effective.problems(variable, plan, python, known))
            if index == 0:
                missing = effective.unset(
                    variable, interest[variable.name], in_settings.get(variable.name)
                )
                if missing is not None:
                    problems.append(missing)
        shown = [v for v in variables if v.seen or (index == 0 and _asked(interest[v.name]))]
        diagnosis.variables.extend(shown)
    problems.extend(_missing_files(loads.plans, loads.notes))
    main_vars = [v for v in diagnosis.variables if v.plan == loads.plans[0].name]
    problems.extend(_ignored_names(main_vars, data, interest, packages, python_env))
    problems.extend(sdk_problems)
    problems.extend(_network(diagnosis, main_env, db, data, providers))
    if loads.plans[0].note:
        problems.append(Problem("dotenv-disabled", Level.WARNING, loads.plans[0].note))
    if verify is not None:
        problems.extend(_verify(diagnosis, main_vars, db, raws, verify))
    diagnosis.problems = _dedupe(problems)
    return diagnosis


def _asked(interest: effective.Interest) -> bool:
    return bool(interest.read_at or interest.implied_by or interest.settings_at)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if p.message not in seen:
            seen.add(p.message)
            out.append(p)
    order = {Level.ERROR: 0, Level.WARNING: 1, Level.NOTE: 2}
    return sorted(out, key=lambda p: order[p.level])


# --- what the project uses --------------------------------------------------------------


def _sdk_roots(db: ProviderDB) -> dict[str, str]:
    """Import root → provider id: `sdk.packages` first, then `env.package`."""
    roots: dict[str, str] = {}
    for provider, section in db.iter_sections("sdk"):
        for package in (section or {}).get("packages") or ():
            roots.setdefault(str(package).split(".")[0], provider.id)
    for provider in db.providers:
        env = provider.section("env")
        package = env.get("package") if isinstance(env, dict) else None
        if package:
            roots.setdefault(normalize(str(package)).replace("-", "_"), provider.id)
    return roots


def _providers_in_use(found: Scan, db: ProviderDB, data: EnvData, main: Plan) -> set[str]:
    roots = _sdk_roots(db)
    providers = {
        roots[u.symbol.split(".")[0]]
        for _, u in found.sdk_uses()
        if u.symbol.split(".")[0] in roots
    }
    for _path, read in found.reads():
        pid = data.provider_of(read.name)
        if pid is not None:
            providers.add(pid)
    for step in main.steps:
        if step.kind == "dotenv" and step.exists and step.path:
            from keylint.doctor.values import read_dotenv

            for name in read_dotenv(Path(step.path), db) or {}:
                pid = data.provider_of(name)
                if pid is not None:
                    providers.add(pid)
    return {p for p in providers if p in db.by_id}


_REQUIRED_HOWS = frozenset({"os.environ[]", "decouple"})  # raise when the variable is unset


def _interest(
    found: Scan, db: ProviderDB, data: EnvData, providers: set[str]
) -> dict[str, effective.Interest]:
    reads: dict[str, list[str]] = {}
    required: dict[str, list[str]] = {}
    settings_reads: dict[str, list[str]] = {}  # fields of pydantic-settings classes
    for path, read in found.reads():
        # Python reads only: a `${VAR}` in compose or a workflow is another runner's.
        if data.provider_of(read.name) is None or read.has_default:
            continue
        if not path.endswith((".py", ".ipynb")):
            continue
        where = f"{path}:{read.span.line}"
        if read.how.startswith("pydantic-settings"):
            settings_reads.setdefault(read.name, []).append(where)
            continue
        reads.setdefault(read.name, []).append(where)
        if read.how in _REQUIRED_HOWS:
            required.setdefault(read.name, []).append(where)
    explicit_key: set[str] = set()
    roots = _sdk_roots(db)
    for _ctx, use in found.sdk_uses():
        if use.how == "kwarg" and use.detail == "api_key":
            pid = roots.get(use.symbol.split(".")[0])
            if pid:
                explicit_key.add(pid)
    out: dict[str, effective.Interest] = {}
    for pid in sorted(providers):
        provider = db.by_id[pid]
        names = [n for n, p in data.reads.items() if p == pid]
        names += [n for n, e in data.legacy.items() if e.provider == pid]
        names += [n for n, e in data.wrong.items() if e.provider == pid]
        uses_sdk = any(roots.get(u.symbol.split(".")[0]) == pid for _, u in found.sdk_uses())
        for name in names:
            implied = ""
            if uses_sdk and name in provider.key_env[:1] and pid not in explicit_key:
                implied = data.label(pid)
            out[name] = effective.Interest(
                name,
                pid,
                tuple(reads.get(name, ())),
                tuple(required.get(name, ())),
                implied,
                key=name in provider.key_env,
                settings_at=tuple(settings_reads.get(name, ())),
            )
    for name, places in reads.items():
        if name not in out:
            owner = db.by_id.get(data.provider_of(name) or "")
            out[name] = effective.Interest(
                name,
                owner.id if owner else None,
                tuple(places),
                tuple(required.get(name, ())),
                key=owner is not None and name in owner.key_env,
            )
    return out


# --- problems outside the values ---------------------------------------------------------


def _missing_files(plans: list[Plan], notes: list[str]) -> list[Problem]:
    out = []
    for plan in plans:
        for step in plan.steps:
            if step.kind != "dotenv" or step.exists:
                continue
            if step.path is None:
                out.append(
                    Problem("dotenv-not-found", Level.NOTE, f"{step.by} finds no file ({step.how})")
                )
            else:
                out.append(
                    Problem(
                        "dotenv-missing",
                        Level.WARNING,
                        f"{step.by}: {step.label} does not exist ({step.how}), so nothing is "
                        "loaded from it",
                    )
                )
    out.extend(Problem("dotenv-unknown", Level.NOTE, note) for note in notes)
    return out


def _ignored_names(
    variables: list[Variable],
    data: EnvData,
    interest: Mapping[str, effective.Interest],
    packages: list[Package],
    env: sdks.PythonEnv,
) -> list[Problem]:
    """A name the SDK does not read is set, and the one it reads is not."""
    by_name = {v.name: v for v in variables}
    versions = {p.name: p.installed for p in packages}

    def is_set(name: str) -> bool:
        v = by_name.get(name)
        return v is not None and v.effective is not None and not v.effective.empty

    out = []
    for variable in variables:
        name = variable.name
        if not is_set(name) or interest[name].read_at:
            continue  # the project reads it itself: its own variable
        eff = variable.effective
        assert eff is not None
        legacy = data.legacy.get(name)
        if legacy is not None and legacy.replacement and not is_set(legacy.replacement):
            rule = legacy.ignored_by
            version = versions.get(rule.package) or sdks.installed(rule.package, env)
            major = sdks._major(version)
            if major is not None and major < rule.major:
                continue  # the installed SDK still reads it
            if any(sdks.installed(p, env) for p in legacy.also_read_by):
                continue
            which = f"{rule.package} {version}" if version else f"{rule.text}"
            out.append(
                Problem(
                    "ignored-name",
                    Level.WARNING,
                    f"{name} is set ({eff.step.label}) but {which} ignores it; it reads "
                    f"{legacy.replacement}, which is not set",
                    legacy.provider,
                    name,
                    hint=f"rename {name} to {legacy.replacement}",
                )
            )
        wrong = data.wrong.get(name)
        if (
            wrong is not None
            and not any(is_set(n) for n in wrong.intended)
            and not any(is_set(n) for n in wrong.unless_names)
            and wrong.read_by is None
        ):
            out.append(
                Problem(
                    "ignored-name",
                    Level.WARNING,
                    f"{name} is set ({eff.step.label}) but {data.label(wrong.provider)} never "
                    f"reads it; it reads {' or '.join(wrong.intended)}, which is not set",
                    wrong.provider,
                    name,
                    hint=f"rename {name} to {wrong.intended[0]}",
                )
            )
    return out


def _network(
    diagnosis: Diagnosis,
    env: Mapping[str, str],
    db: ProviderDB,
    data: EnvData,
    providers: set[str],
) -> list[Problem]:
    problems: list[Problem] = []
    shown, found = network.proxies(env)
    diagnosis.network.extend(shown)
    problems.extend(found)
    shown, found = network.ca_bundles(env)
    diagnosis.network.extend(shown)
    problems.extend(found)
    for name, pid in sorted(data.reads.items()):
        if pid not in providers or not name.endswith(("_BASE_URL", "_ENDPOINT")):
            continue
        value = env.get(name)
        if value is None:
            continue
        line, problem = network.base_url(name, value, db.by_id.get(pid))
        if line is not None:
            diagnosis.network.append(line)
        if problem is not None:
            problems.append(problem)
    return problems


def _verify(
    diagnosis: Diagnosis,
    variables: list[Variable],
    db: ProviderDB,
    raws: Mapping[str, str],
    verify: VerifyStep,
) -> list[Problem]:
    """Verify the effective key and each shadowed one (distinct values only), labelled."""
    out: list[Problem] = []
    for variable in variables:
        pid = variable.provider
        if pid is None or variable.name not in db.by_id[pid].key_env or variable.effective is None:
            continue
        verdicts: dict[str, str] = {}
        for s in variable.seen:
            raw = raws.get(s.fingerprint)
            if s.empty or raw is None or s.fingerprint in verdicts:
                continue
            verdicts[s.fingerprint] = verify(pid, raw.strip())
            diagnosis.verifications.append(
                {
                    "variable": variable.name,
                    "source": s.step.label,
                    "redacted": s.redacted,
                    "fingerprint": s.fingerprint,
                    "effective": s is variable.effective,
                    "result": verdicts[s.fingerprint],
                }
            )
        eff = variable.effective
        used = verdicts.get(eff.fingerprint)
        if used is None or used in _GOOD_VERDICTS:
            continue
        good = [s for s in variable.seen if verdicts.get(s.fingerprint) in _GOOD_VERDICTS]
        tail = ""
        if good:
            best = good[0]
            tail = (
                f"; the one in {best.step.label} ({best.redacted}) is {verdicts[best.fingerprint]}"
            )
        out.append(
            Problem(
                "verify",
                Level.ERROR,
                f"{variable.name}: the key your app uses ({eff.redacted}, {eff.step.label}) is "
                f"{used}{tail}",
                pid,
                variable.name,
            )
        )
    return out
