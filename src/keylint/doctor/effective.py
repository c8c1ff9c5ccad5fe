"""Follow a plan step by step: which value of each variable the app ends up with, and why.

The rules are the loaders' own: the process environment comes first; a dotenv step sets a
variable only if it is not set yet (even to ""), unless it overrides. Problems are phrased
with redacted forms only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from keylint.doctor.model import Level, Plan, Problem, Seen, Step, Variable
from keylint.doctor.values import interpolate, read_dotenv, seen
from keylint.providers import ProviderDB


@dataclass(frozen=True)
class Interest:
    """A variable the diagnosis follows."""

    name: str
    provider: str | None
    read_at: tuple[str, ...] = ()  # where Python code reads it without a default
    required_at: tuple[str, ...] = ()  # reads that fail when it is unset (os.environ[...])
    implied_by: str = ""  # "the openai SDK": an SDK client reads this key when not given one
    key: bool = False  # a key name of the provider (key_env)
    settings_at: tuple[str, ...] = ()  # fields of pydantic-settings classes that read it


def _values(
    step: Step,
    environ: Mapping[str, str],
    compose: Mapping[str, tuple[str | None, bool]],
    db: ProviderDB,
) -> dict[str, str] | None:
    if step.kind == "environment":
        return dict(environ)
    if step.kind in ("compose", "compose-shell"):
        shell = step.kind == "compose-shell"
        return {k: v for k, (v, by_shell) in compose.items() if v is not None and by_shell == shell}
    if step.path is None or not step.exists:
        return None
    from pathlib import Path

    return read_dotenv(Path(step.path), db)


def resolve(
    plan: Plan,
    interest: Mapping[str, Interest],
    environ: Mapping[str, str],
    db: ProviderDB,
    compose: Mapping[str, tuple[str | None, bool]] | None = None,
) -> tuple[list[Variable], dict[str, str], dict[str, str]]:
    """The variables of ``interest`` in ``plan``, the whole environment the app gets, and
    fingerprint → value of each value seen (in memory only, for a verification step)."""
    current: dict[str, str] = {}
    raws: dict[str, str] = {}
    variables = {
        name: Variable(name, i.provider, plan.name, read_at=i.read_at)
        for name, i in interest.items()
    }
    for step in plan.steps:
        values = _values(step, environ, compose or {}, db)
        if values is None:
            continue
        file_values: dict[str, str] = {}
        for name, raw in values.items():
            dynamic = False
            if step.kind == "dotenv" and step.interpolate:
                env = {**current, **file_values} if step.override else {**file_values, **current}
                raw, dynamic = interpolate(raw, env)
            file_values[name] = raw
            applies = step.kind == "environment" or step.override or name not in current
            if applies:
                current[name] = raw
            variable = variables.get(name)
            if variable is None:
                continue
            s = seen(step, raw, db, variable.provider, dynamic)
            variable.seen.append(s)
            raws[s.fingerprint] = raw
            if applies:
                variable.effective = s
    for variable in variables.values():
        variable.reason = _reason(variable)
    return list(variables.values()), current, raws


def _reason(variable: Variable) -> str:
    eff = variable.effective
    if eff is None:
        return "not set anywhere the app looks"
    others = [s for s in variable.seen if s is not eff]
    if not others:
        return f"only {eff.step.label} sets it"
    later = [s for s in others if variable.seen.index(s) > variable.seen.index(eff)]
    if later:
        return f"{eff.step.label} comes first and {later[0].step.by} does not override it"
    return f"{eff.step.by} overrides what was set before"


def problems(
    variable: Variable, plan: Plan, python: bool, known: frozenset[Step] = frozenset()
) -> list[Problem]:
    """What is wrong with one variable in one plan.

    ``known`` holds the steps of the main plan: another plan (``flask run``) repeats only
    what involves a step of its own, so one defect is told once.
    """
    eff = variable.effective
    if eff is None:
        return []
    where = f"with {plan.name}: " if known else ""
    index = variable.seen.index(eff)
    differ = [s for s in variable.seen if s.fingerprint != eff.fingerprint]
    later = [s for s in differ if variable.seen.index(s) > index]
    earlier = [s for s in differ if variable.seen.index(s) < index]
    out: list[Problem] = []
    if later and not _all_known([eff, *later], known):
        out.append(_shadowed(variable, eff, later, where, python))
    out.extend(
        _replaced(variable, eff, [s for s in earlier if not _all_known([eff, s], known)], where)
    )
    if _all_known([eff], known):
        return out
    name = variable.name
    if eff.empty and not any(p.code == "empty-shadows" for p in out):
        out.append(
            Problem(
                "empty",
                Level.ERROR,
                f"{where}{name} is set but empty in {eff.step.label}: the SDK gets no key",
                variable.provider,
                name,
                hint=f"unset {name}" if eff.step.kind == "environment" else "",
            )
        )
    if eff.issues:
        scope = (
            "your shell's value (no file keylint scans holds it)"
            if eff.step.kind == "environment"
            else f"the value in {eff.step.label}"
        )
        out.append(
            Problem(
                "value-characters",
                Level.ERROR,
                f"{where}{name}: {scope} has {', '.join(eff.issues)}; it is sent as is "
                f"({eff.redacted})",
                variable.provider,
                name,
                hint=f"set it again without them: export {name}='…'"
                if eff.step.kind == "environment"
                else "",
            )
        )
    return out


def _all_known(seen: list[Seen], known: frozenset[Step]) -> bool:
    return bool(known) and all(s.step in known for s in seen)


def _shadowed(
    variable: Variable, eff: Seen, others: list[Seen], where: str, python: bool
) -> Problem:
    """Values loaded after the one the app uses, that do not replace it."""
    name = variable.name
    by = others[0].step.by
    because = f"{by} does not override a variable that is already set"
    if eff.step.kind == "environment":
        if eff.empty:
            held = ", ".join(f"{s.step.label} ({s.redacted})" for s in others)
            return Problem(
                "empty-shadows",
                Level.ERROR,
                f"{where}{name}: your shell sets it to an empty string, which hides the value "
                f"in {held}: {because}, even when it is empty",
                variable.provider,
                name,
                hint=f"unset {name} in your shell",
            )
        held = ", ".join(f"{s.step.label} holds {s.redacted}" for s in others)
        dotenv = python and any(s.step.kind == "dotenv" for s in others)
        return Problem(
            "shadowed",
            Level.WARNING,
            f"{where}{name}: your shell exports {eff.redacted}, {held}; the app uses your "
            f"shell's, because {because}",
            variable.provider,
            name,
            hint=f"unset {name} in your shell"
            + (", or call load_dotenv(override=True)" if dotenv else ""),
        )
    held = " and ".join(f"{s.step.label} ({s.redacted})" for s in others)
    return Problem(
        "dotenv-conflict",
        Level.WARNING,
        f"{where}{name}: {eff.step.label} ({eff.redacted}) and {held} disagree; the app uses "
        f"the value in {eff.step.label}, which loads first ({by} does not override it)",
        variable.provider,
        name,
        hint=f"keep one value of {name}",
    )


def _replaced(variable: Variable, eff: Seen, others: list[Seen], where: str) -> list[Problem]:
    """Values set before the one the app uses, which a later step replaced."""
    name = variable.name
    out = [
        Problem(
            "overridden",
            Level.NOTE,
            f"{where}{name}: {eff.step.label} ({eff.redacted}) replaces your shell's value "
            f"({s.redacted}): {eff.step.by}",
            variable.provider,
            name,
        )
        for s in others
        if s.step.kind == "environment"
    ]
    files = [s for s in others if s.step.kind != "environment"]
    if files and eff.step.kind == "environment":
        # pydantic-settings: the environment is read last and wins over every env_file.
        held = ", ".join(f"{s.step.label} holds {s.redacted}" for s in files)
        empty = " an empty string" if eff.empty else f" {eff.redacted}"
        out.append(
            Problem(
                "empty-shadows" if eff.empty else "shadowed",
                Level.ERROR if eff.empty else Level.WARNING,
                f"{where}{name}: your shell exports{empty}, {held}; {eff.step.by} uses your "
                f"shell's, because {eff.step.how}",
                variable.provider,
                name,
                hint=f"unset {name} in your shell",
            )
        )
    elif files:
        held = " and ".join(f"{s.step.label} ({s.redacted})" for s in files)
        out.append(
            Problem(
                "dotenv-conflict",
                Level.WARNING,
                f"{where}{name}: {held} and {eff.step.label} ({eff.redacted}) disagree; the app "
                f"uses the value in {eff.step.label}, which loads later and overrides",
                variable.provider,
                name,
                hint=f"keep one value of {name}",
            )
        )
    return out


def unset(
    variable: Variable, interest: Interest, in_settings: tuple[Plan, Variable] | None = None
) -> Problem | None:
    """Nothing in the environment sets a variable the app needs: an error where the read
    raises, a warning for a key the code or the SDK reads. ``in_settings``: a
    pydantic-settings class holds it from its env_file, which the environment never sees."""
    if variable.effective is not None:
        return None
    name = variable.name
    nowhere = "nothing sets it (not your shell, not a dotenv file the app loads)"
    if interest.required_at:
        return Problem(
            "unset",
            Level.ERROR,
            f"{name} is read at {', '.join(interest.required_at[:3])}, which raises when it "
            f"is unset, but {nowhere}",
            variable.provider,
            name,
        )
    if interest.key and in_settings is not None and (interest.read_at or interest.implied_by):
        held = in_settings[1].effective
        assert held is not None
        reader = interest.implied_by or f"the code at {interest.read_at[0]}"
        return Problem(
            "settings-only",
            Level.WARNING,
            f"{name}: {held.step.label} holds it ({held.redacted}), but only as the "
            f"{held.step.by} (pydantic-settings reads it into the class's fields, not into "
            f"the environment); {reader} reads the environment, where {nowhere}",
            variable.provider,
            name,
            hint="pass the settings field to the client (api_key=settings.…), or load the "
            "file with load_dotenv()",
        )
    if interest.key and interest.read_at:
        return Problem(
            "unset",
            Level.WARNING,
            f"{name} is read at {', '.join(interest.read_at[:3])} but {nowhere}",
            variable.provider,
            name,
        )
    if interest.key and interest.implied_by:
        return Problem(
            "unset",
            Level.WARNING,
            f"{name} is not set: {interest.implied_by} reads it when no api_key= is given, "
            f"and {nowhere}",
            variable.provider,
            name,
        )
    if interest.key and interest.settings_at and in_settings is None:
        return Problem(
            "unset",
            Level.WARNING,
            f"{name} is read by a settings field at {', '.join(interest.settings_at[:2])} "
            f"but {nowhere}",
            variable.provider,
            name,
        )
    return None
