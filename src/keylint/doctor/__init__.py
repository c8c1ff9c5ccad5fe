"""``keylint doctor``: why the key does not work on *this* machine.

The static scan answers "what is wrong in the repository"; the doctor answers "what will the
app actually use here": for each provider variable the project reads, every place its value
comes from (your shell, each dotenv file the code loads, in load order), which one wins and
why, and what is wrong with it — then the installed SDKs against the code, and the network
path. Values are never shown: redacted forms and fingerprints only.

Verification is pluggable (:mod:`keylint.doctor.verify`): ``diagnose(..., verifier=...)``
asks about the effective key of each provider key variable and about the shadowed ones,
labelled; ``keylint doctor --verify`` plugs in :mod:`keylint.verify`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from keylint.checks.envnames import EnvData, env_data
from keylint.config import Settings
from keylint.doctor import effective, loaders, network, sdks
from keylint.doctor.model import Diagnosis, Level, Package, Plan, Problem, Seen, Variable
from keylint.doctor.scan import Scan, scan
from keylint.doctor.verify import (
    DRY_RUN,
    GOOD,
    UNKNOWN,
    Asked,
    Verdict,
    Verifier,
    VerifyStep,
    from_step,
)
from keylint.findings import fingerprint
from keylint.pins import detect, normalize
from keylint.providers import ProviderDB
from keylint.providers import load as load_db

__all__ = ["Diagnosis", "Verifier", "VerifyStep", "diagnose"]


def diagnose(
    root: Path,
    environ: Mapping[str, str],
    settings: Settings | None = None,
    db: ProviderDB | None = None,
    verify: VerifyStep | None = None,
    verifier: Verifier | None = None,
) -> Diagnosis:
    """The diagnosis of the project at ``root`` run with ``environ``. ``verify`` (one key at
    a time) or ``verifier`` (all keys at once, e.g. :func:`.verify.package_verifier`) asks
    the providers about the keys; without them no request is made."""
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
    main_value_problems: list[Problem] = []  # the main plan's, that a verification may settle
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
            found_here = effective.problems(variable, plan, python, known)
            problems.extend(found_here)
            if index == 0:
                main_value_problems.extend(found_here)
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
    if verifier is None and verify is not None:
        verifier = from_step(verify)
    if verifier is not None:
        found_by_verify, working = _verify(diagnosis, main_vars, db, raws, main_env, verifier)
        problems = _settled(problems, main_value_problems, working) + found_by_verify
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
    env: Mapping[str, str],
    verifier: Verifier,
) -> tuple[list[Problem], set[str]]:
    """Verify the effective key and each shadowed one (distinct values only), labelled.

    All keys go to the verifier at once (sent concurrently); a key held by several sources
    or variables is asked about once."""
    todo: list[tuple[Variable, list[tuple[Seen, str]]]] = []
    asked: dict[str, Asked] = {}
    for variable in variables:
        pid = variable.provider
        eff = variable.effective
        if pid is None or variable.name not in db.by_id[pid].key_env or eff is None:
            continue
        mine: list[tuple[Seen, str]] = []
        # The key the app uses first, then the ones it shadows, in load order.
        for s in sorted(variable.seen, key=lambda s: s is not eff):
            raw = raws.get(s.fingerprint)
            key = raw.strip() if raw is not None else ""
            if s.empty or not key:
                continue
            fp = fingerprint(key)
            if any(fp == done for _, done in mine):
                continue
            asked.setdefault(fp, Asked(pid, key, fp, s.redacted))
            mine.append((s, fp))
        if mine:
            todo.append((variable, mine))
    if not asked:
        return [], set()
    verdicts = verifier(list(asked.values()), env)
    out: list[Problem] = []
    working: set[str] = set()
    for variable, mine in todo:
        got = {s.fingerprint: verdicts.get(fp, Verdict("error", "no-answer")) for s, fp in mine}
        for s, _ in mine:
            v = got[s.fingerprint]
            record: dict[str, object] = {
                "variable": variable.name,
                "source": s.step.label,
                "redacted": s.redacted,
                "fingerprint": s.fingerprint,
                "effective": s is variable.effective,
                "result": v.result,
                "reason": v.reason,
                "status": v.status,
                "detail": v.detail,
                "cached": v.cached,
            }
            diagnosis.verifications.append(record)
        problem = _verdict_problem(variable, [s for s, _ in mine], got)
        if problem is not None:
            out.append(problem)
        if all(v.result in GOOD for v in got.values()):
            working.add(variable.name)
    return out, working


_SETTLED = frozenset({"shadowed", "dotenv-conflict"})


def _settled(
    problems: list[Problem], main_value_problems: list[Problem], working: set[str]
) -> list[Problem]:
    """Two different keys, and the provider accepts both: which one the app uses is worth
    knowing (another account, another project), but it is not why a key fails: a note."""
    settle = {
        id(p)
        for p in main_value_problems
        if p.code in _SETTLED and p.variable in working and p.level is Level.WARNING
    }
    return [
        replace(
            p,
            level=Level.NOTE,
            message=f"{p.message}; the provider accepts each of these keys (--verify)",
        )
        if id(p) in settle
        else p
        for p in problems
    ]


def _verdict_problem(
    variable: Variable, asked: list[Seen], got: Mapping[str, Verdict]
) -> Problem | None:
    """What the answers mean for the app: the key it uses fails (and another one works),
    or the provider could not be asked."""
    eff = variable.effective
    if eff is None or eff.fingerprint not in got:
        return None
    used = got[eff.fingerprint]
    if used.result in GOOD or used.result == DRY_RUN:
        return None
    name = variable.name
    head = f"{name}: the key your app uses ({eff.redacted}, {eff.step.label})"
    if used.result in UNKNOWN:
        # Nothing is known about the key: never said as "invalid". An unreachable provider
        # is a warning (the app cannot reach it either), the rest a note.
        level = Level.WARNING if used.result == "unreachable" else Level.NOTE
        tail = f": {used.detail}" if used.detail else ""
        return Problem(
            "verify-unknown",
            level,
            f"{head} could not be verified: {used.shown}{tail}",
            variable.provider,
            name,
        )
    good = [s for s in asked if s is not eff and got[s.fingerprint].result in GOOD]
    tail = ""
    hint = used.detail
    if good:
        best = good[0]
        tail = f"; the one in {best.step.label} ({best.redacted}) is {got[best.fingerprint].result}"
        hint = _use_other(variable, eff, best)
    return Problem(
        "verify", Level.ERROR, f"{head} is {used.shown}{tail}", variable.provider, name, hint=hint
    )


def _use_other(variable: Variable, eff: Seen, good: Seen) -> str:
    """How to make the app use the working key instead of the failing one."""
    name = variable.name
    if eff.step.kind == "environment":
        if good.step.kind == "dotenv" and variable.plan in ("python app", "flask run"):
            return f"unset {name} in your shell, or call load_dotenv(override=True)"
        return f"unset {name} in your shell"
    if variable.seen.index(good) > variable.seen.index(eff):
        return (
            f"remove {name} from {eff.step.label}, which loads first, or put the working key there"
        )
    return f"remove {name} from {eff.step.label}, which overrides {good.step.label}"
