"""What one target's files carry of a plan, and what that means for its report.

The plan is target-independent; a target may leave part of it out (the platform owns it, or the
installer has no variable for it) and lists that part under "Not controllable". Everything a
target's REPORT.md claims (the security-feature table, the CIS summary) is computed from what the
target carries, never from the plan alone.
"""

from typing import NamedTuple

from kgen.plan import CONTROL_PLANE, FeatureStatus, NodeFile, Plan, Setting, features_table
from kgen.target_registry import REGISTRY


class Coverage(NamedTuple):
    """The settings and node files of a plan that one target's files carry."""

    settings: tuple[Setting, ...]
    files: tuple[NodeFile, ...]

    def carries(self, setting: Setting) -> bool:
        return setting in self.settings


def coverage(plan: Plan, target: str) -> Coverage:
    """What ``target`` renders of ``plan``; the rest is in its not-controllable list.

    A managed platform carries the kubelet fields it accepts; a target whose registry entry lists the
    ``coverage`` hook (kgen/target_registry.py) says itself what it carries; any other carries the plan.
    """
    from kgen.targets import target_hook

    if REGISTRY[target].managed:
        return Coverage(tuple(s for s in plan.settings if _managed_carries(s, target)), ())
    hook = target_hook(target, "coverage")
    if hook is not None:
        carried: Coverage = hook(plan)
        return carried
    return Coverage(tuple(plan.settings), tuple(plan.files))


def _managed_carries(setting: Setting, target: str) -> bool:
    """A managed platform takes kubelet configuration fields it accepts, and nothing of the control plane."""
    from kgen.targets.managed import kubelet_refusal

    if setting.component in (*CONTROL_PLANE, "etcd", "kube-proxy") or setting.is_flag:
        return False
    return setting.component == "kubelet" and kubelet_refusal(setting, target) is None


def feature_gate_settings(plan: Plan, knob: str) -> list[Setting]:
    """The plan's settings that turn one feature on: its gates on every component, and its own flags."""
    spec = features_table()[knob]
    gates = set(spec["gates"])
    flags = {(component, name) for component, names in spec.get("flags", {}).items() for name in names}
    carrying = []
    for setting in plan.settings:
        if setting.key == "feature-gates":
            named = {item.split("=", 1)[0] for item in str(setting.value).split(",")}
        elif setting.key.startswith("featureGates."):
            named = {setting.key.split(".", 1)[1]}
        else:
            named = set()
        if named & gates or (setting.component, setting.key) in flags:
            carrying.append(setting)
    return carrying


def feature_field_settings(plan: Plan, knob: str) -> list[Setting]:
    """The plan's settings that configure one feature beyond its gates (user namespace IDs, the pull policy)."""
    prefix = f"features.{knob}."
    gate_settings = feature_gate_settings(plan, knob)
    return [s for s in plan.settings if s.reason.origin.startswith(prefix) and s not in gate_settings]


def target_features(plan: Plan, target: str, covered: Coverage | None = None) -> list[FeatureStatus]:
    """The plan's feature table as ``target``'s files carry it.

    A feature the plan renders stays "rendered" only when every setting turning it on (its gates on
    each component, its flags) is in the target's files; otherwise it is "not rendered" (none of
    them) or "partly rendered" (some components only), naming what is missing. A setting that
    configures a feature (user namespace IDs, the image pull policy) and is missing here is named too.
    """
    covered = covered or coverage(plan, target)
    result = []
    for feature in plan.features:
        state, detail = feature.state, feature.detail
        if state == "rendered":
            needed = feature_gate_settings(plan, feature.knob)
            missing = [s for s in needed if not covered.carries(s)]
            kept = [s for s in needed if covered.carries(s)]
            if missing and not kept:
                state = "not rendered"
                detail = f"{target} cannot set {_places(missing)} (see Not controllable on this platform); the plan: {detail}"
            elif missing:
                state = "partly rendered"
                detail = (
                    f"{target} sets {_places(kept)} but cannot set {_places(missing)} "
                    f"(see Not controllable on this platform); the plan: {detail}"
                )
        if feature.wanted and state not in ("off", "unavailable"):
            unset = [s for s in feature_field_settings(plan, feature.knob) if not covered.carries(s)]
            if unset:
                detail += f"; {target} cannot set {_places(unset)} (see Not controllable on this platform)"
        result.append(feature._replace(state=state, detail=detail))
    return result


def _places(settings: list[Setting]) -> str:
    return ", ".join(sorted({_where(s) for s in settings}))


def _where(setting: Setting) -> str:
    if setting.is_flag:
        return f"{setting.component} --{setting.key}"
    if setting.key.startswith("featureGates."):
        return f"{setting.component} featureGates"
    return f"{setting.component} {setting.key}"
