"""Options of one evaluation, shared by the CLI, the serve protocol and the API.

Kept free of torch so that the supervisor process stays light.
"""

import dataclasses
import json
import os
import re
from typing import Any, Optional

from . import DSLS

DEVICE_PATTERN = re.compile(r"^(cpu|cuda(:\d+)?|npu(:\d+)?)$")
TOLERANCE_PROFILES = ("strict", "default", "loose", "kernelbench")
BASELINES = ("eager", "compile")
# full: every check (README, Checks). search: for a tuner's configurations of a candidate that
# passed in full; one correctness trial and the checks of that trial and of the timed calls.
PROTOCOLS = ("full", "search")
# The run: correctness, checks, timing and profiles, everything after the build.
DEFAULT_TIMEOUT_S = 600.0
# The build (loading the candidate, which compiles its extensions): a cold nvcc build of a big
# kernel takes a minute or two. Kept apart so a slow compiler never eats a kernel's run time.
DEFAULT_BUILD_TIMEOUT_S = 600.0


class OptionsError(ValueError):
    """An option is missing or has a value the harness cannot use."""


@dataclasses.dataclass
class EvaluateOptions:
    task: str
    candidate: str
    dsl: str
    device: str = "cpu"
    out: Optional[str] = None
    correctness_trials: int = 5
    timing_trials: Optional[int] = None
    warmup: Optional[int] = None
    tolerance: str = "default"
    atol: Optional[float] = None
    rtol: Optional[float] = None
    timeout: float = DEFAULT_TIMEOUT_S
    build_timeout: float = DEFAULT_BUILD_TIMEOUT_S
    baselines: Optional[list] = None
    profile: bool = False
    ncu: bool = False
    seed: Optional[int] = None
    build_dir: Optional[str] = None
    params: Optional[dict] = None
    threads: Optional[int] = None
    timing: bool = True
    protocol: str = "full"
    # Also confirm the median with Nsight Compute from outside the executor (CUDA; seconds).
    confirm_ncu: bool = False

    @property
    def device_kind(self) -> str:
        return self.device.split(":")[0]

    def resolved_baselines(self) -> list:
        if self.baselines is not None:
            return list(self.baselines)
        # torch.compile on CPU needs a C++ toolchain and minutes per task: opt-in there.
        return ["eager"] if self.device_kind == "cpu" else ["eager", "compile"]

    def validate(self) -> "EvaluateOptions":
        for name in ("task", "candidate"):
            path = getattr(self, name)
            if not path or not os.path.isfile(path):
                raise OptionsError(f"{name} file not found: {path!r}")
            setattr(self, name, os.path.abspath(path))
        if self.dsl not in DSLS:
            raise OptionsError(f"dsl must be one of {', '.join(DSLS)}, got {self.dsl!r}")
        if not DEVICE_PATTERN.match(self.device or ""):
            raise OptionsError(f"device must be cpu, cuda[:N] or npu[:N], got {self.device!r}")
        if self.tolerance not in TOLERANCE_PROFILES:
            raise OptionsError(f"tolerance must be one of {', '.join(TOLERANCE_PROFILES)}")
        if self.protocol not in PROTOCOLS:
            raise OptionsError(f"protocol must be one of {', '.join(PROTOCOLS)}, got {self.protocol!r}")
        if self.protocol == "search":
            self.correctness_trials = 1
        if self.correctness_trials < 1:
            raise OptionsError("correctness_trials must be at least 1")
        for name in ("timing_trials", "warmup", "threads"):
            value = getattr(self, name)
            if value is not None and value < (0 if name == "warmup" else 1):
                raise OptionsError(f"{name} must be positive, got {value}")
        if self.timeout <= 0:
            raise OptionsError("timeout must be positive")
        if self.build_timeout <= 0:
            raise OptionsError("build_timeout must be positive")
        if self.baselines is not None:
            unknown = [b for b in self.baselines if b not in BASELINES]
            if unknown:
                raise OptionsError(f"unknown baselines {unknown}; use eager and/or compile")
        if self.params is not None and not isinstance(self.params, dict):
            raise OptionsError("params must be a JSON object of name -> value")
        if self.params is None and os.environ.get("AKG_TUNE_PARAMS"):
            self.params = parse_params(os.environ["AKG_TUNE_PARAMS"])
        if self.out:
            self.out = os.path.abspath(self.out)
        if self.build_dir:
            self.build_dir = os.path.abspath(self.build_dir)
        return self

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_mapping(cls, args: dict) -> "EvaluateOptions":
        """Build options from serve/API arguments (snake_case names of the CLI options)."""
        if not isinstance(args, dict):
            raise OptionsError("args must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(args) - known)
        if unknown:
            raise OptionsError(f"unknown argument(s): {', '.join(unknown)}")
        missing = [n for n in ("task", "candidate", "dsl") if not args.get(n)]
        if missing:
            raise OptionsError(f"missing argument(s): {', '.join(missing)}")
        values = dict(args)
        if isinstance(values.get("baselines"), str):
            values["baselines"] = split_list(values["baselines"])
        if isinstance(values.get("params"), str):
            values["params"] = parse_params(values["params"])
        try:
            return cls(**values).validate()
        except TypeError as error:
            raise OptionsError(str(error)) from error


def split_list(text: str) -> list:
    return [part.strip() for part in text.split(",") if part.strip() and part.strip() != "none"]


def parse_params(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise OptionsError(f"params are not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise OptionsError("params must be a JSON object of name -> value")
    return value


def add_evaluate_arguments(parser) -> None:
    """Register the evaluate options on an argparse parser."""
    parser.add_argument("--task", required=True)
    parser.add_argument("--candidate", required=True)
    parser.add_argument("--dsl", required=True, choices=DSLS)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", required=True)
    parser.add_argument("--correctness-trials", type=int, default=5)
    parser.add_argument("--timing-trials", type=int)
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--tolerance", default="default", choices=TOLERANCE_PROFILES)
    parser.add_argument("--atol", type=float)
    parser.add_argument("--rtol", type=float)
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help="seconds for the run (correctness, checks, timing), build excluded",
    )
    parser.add_argument(
        "--build-timeout",
        type=float,
        default=DEFAULT_BUILD_TIMEOUT_S,
        help="seconds for loading and building the candidate",
    )
    parser.add_argument("--baselines", help="comma list of eager,compile (or none)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--ncu", action="store_true")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--build-dir")
    parser.add_argument("--params", help="JSON object of tunable overrides")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--threads", type=int, help="CPU threads for candidate and baselines")
    parser.add_argument("--no-timing", action="store_true", help="verify only")
    parser.add_argument(
        "--protocol",
        default="full",
        choices=PROTOCOLS,
        help="search: one trial and the integrity checks (tuner configurations)",
    )
    parser.add_argument(
        "--confirm-ncu",
        action="store_true",
        help="confirm the candidate's median with ncu kernel durations (CUDA)",
    )


def options_from_namespace(ns) -> EvaluateOptions:
    params = parse_params(ns.params) if ns.params else None
    for item in ns.param:
        name, _, raw = item.partition("=")
        if not name or not raw:
            raise OptionsError(f"--param expects NAME=VALUE, got {item!r}")
        params = params or {}
        try:
            params[name] = json.loads(raw)
        except json.JSONDecodeError:
            params[name] = raw
    return EvaluateOptions(
        task=ns.task,
        candidate=ns.candidate,
        dsl=ns.dsl,
        device=ns.device,
        out=ns.out,
        correctness_trials=ns.correctness_trials,
        timing_trials=ns.timing_trials,
        warmup=ns.warmup,
        tolerance=ns.tolerance,
        atol=ns.atol,
        rtol=ns.rtol,
        timeout=ns.timeout,
        build_timeout=ns.build_timeout,
        baselines=split_list(ns.baselines) if ns.baselines is not None else None,
        profile=ns.profile,
        ncu=ns.ncu,
        seed=ns.seed,
        build_dir=ns.build_dir,
        params=params,
        threads=ns.threads,
        timing=not ns.no_timing,
        protocol=ns.protocol,
        confirm_ncu=ns.confirm_ncu,
    ).validate()


def parameter_summary(options: EvaluateOptions) -> dict:
    """Options echoed into the result document (what was asked for)."""
    data = options.to_dict()
    data["baselines"] = options.resolved_baselines()
    return {key: value for key, value in data.items() if key != "out"}


def coerce(value: Any) -> Any:
    """JSON-safe copy of a value (numbers that are not finite become strings)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value
