"""Target 4, stage by stage: the CPU seconds each later stage spends on N synthetic findings.

Runs the pipeline once (as `findings_scale.py` does) to record every stage's input, then times each
stage again on that input (best of three, thread CPU), the policy engine's parts included: reading
the findings input (`set_input_json`) and each finding policy. Shows where the seconds of
`findings_scale.py` go; the sum is not the wall time (the first run also builds what the stages share).

    python bench/findings_stages.py [N]     # default 100000
"""

from __future__ import annotations

import functools
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from _common import header  # noqa: E402


def cpu(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.thread_time()
        fn()
        best = min(best, time.thread_time() - start)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    header(f"Target 4 by stage: {n} synthetic findings")
    from guard import jsonenc, pipeline
    from guard.cli import GC_THRESHOLD
    from guard.compliance import mappings
    from guard.config import Config
    from guard.policy.base import PolicyContext
    from guard.policy.runner import findings_input, prepare
    from guard.report import jsonfile, markdown
    from guard.sarif import write as sarif_write
    from synthetic import synthetic_runs

    gc.set_threshold(*GC_THRESHOLD)
    seen: dict[str, tuple[Callable[..., Any], tuple, dict]] = {}

    def record(module: Any, name: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen.setdefault(name, (original, args, kwargs))
            return original(*args, **kwargs)

        setattr(module, name, wrapper)

    for module, name in [(pipeline, "redact"), (pipeline, "dedup"), (pipeline, "apply_inline_waivers"),
                         (pipeline, "mark_existing"), (mappings, "annotate"), (pipeline, "control_status"),
                         (pipeline, "gate")]:
        record(module, name)
    root = Path(tempfile.mkdtemp(prefix="guard-bench-stages-"))
    cfg = Config(scanners=[], fail_on="critical")
    result = pipeline.run_imported(root, synthetic_runs(n), cfg)

    rows = [(name, cpu(lambda f=f, a=a, k=k: f(*a, **k))) for name, (f, a, k) in seen.items()]
    context = PolicyContext(str(root), None, None, tuple(cfg.frameworks), cfg.fail_on)
    rows.append(("findings input (dicts)", cpu(lambda: findings_input(result.findings, context))))
    doc = findings_input(result.findings, context)
    rows.append(("findings input (JSON)", cpu(lambda: jsonenc.dumps(doc))))
    text = jsonenc.dumps(doc).decode()
    ready = prepare(cfg, root)
    engine = ready.engine._engine  # regorus itself, to time its parts
    rows.append(("engine: set_input_json", cpu(lambda: engine.set_input_json(text))))
    for m in ready.pack.policies:
        if m.meta is not None and m.meta.input == "findings":
            rows.append((f"engine: {m.meta.id}", cpu(lambda ref=f"{m.ref}.deny": engine.eval_rule_as_json(ref))))
    ready.engine.close()
    rows.append(("SARIF (build + encode)", cpu(lambda: sarif_write.dumps(sarif_write.build(result, root)))))
    rows.append(("findings.json (build + encode)", cpu(lambda: jsonenc.dumps(jsonfile.to_dict(result)))))
    rows.append(("controls.json", cpu(lambda: jsonenc.dumps([jsonfile.control_to_dict(c) for c in result.controls]))))
    rows.append(("summary.md", cpu(lambda: markdown.render(result))))
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:{width}}  {seconds:6.3f} s")
    print(f"{'sum':{width}}  {sum(s for _, s in rows):6.3f} s")


if __name__ == "__main__":
    main()
