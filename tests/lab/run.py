#!/usr/bin/env python3
"""Run the QEMU lab scenarios (tests/lab/scenarios/*.py), one guest each.

    tests/lab/run.py BUILD_DIR [SCENARIO...]
Each scenario module has run(lab, check); check(condition, what) records one
assertion.  Prints a line per failed assertion and 'N passed, N failed'."""
import importlib.util
import os
import sys
import traceback

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from lab import Lab  # noqa: E402


def main():
    build = sys.argv[1]
    names = sys.argv[2:] or sorted(
        f[:-3] for f in os.listdir(os.path.join(here, "scenarios"))
        if f.endswith(".py") and not f.startswith("_"))
    passed = failed = 0
    for name in names:
        spec = importlib.util.spec_from_file_location(
            name, os.path.join(here, "scenarios", name + ".py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        results = []

        def check(cond, what, results=results):
            results.append((bool(cond), what))
            if not cond:
                print("FAIL %s: %s" % (name, what), flush=True)

        lab = Lab(build)
        try:
            lab.start()
            mod.run(lab, check)
        except Exception:
            results.append((False, "exception"))
            print("FAIL %s: exception" % name)
            traceback.print_exc()
            print(lab.console())
        finally:
            lab.stop()
        p = sum(1 for ok, _ in results if ok)
        f = len(results) - p
        print("%s %s: %d passed, %d failed (boot %.1f s)" % (
            "ok  " if f == 0 else "FAIL", name, p, f,
            getattr(lab, "boot_seconds", 0)), flush=True)
        passed += p
        failed += f
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
