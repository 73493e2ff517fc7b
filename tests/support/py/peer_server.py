"""A long-lived Python for `runPython` (tests/support/python.ts): one snippet at a time.

Importing PyIceberg, PyArrow and DuckDB costs about a second per interpreter; the interop tests
run a hundred or more snippets, so a warm interpreter runs them instead. Each request is one JSON
line on stdin: {"code": "...", "env": {...}}. The snippet runs with fresh globals (`__name__` is
"__main__"), the given environment variables set for its duration only, and its stdout/stderr
captured. The answer is one JSON line on file descriptor 3 (so C-level writes to fd 1 cannot
corrupt the protocol): {"ok": bool, "stdout": "...", "stderr": "..."}. The server exits on EOF,
i.e. when the test process that started it ends.
"""

import contextlib
import io
import json
import os
import sys
import traceback


def run(request: dict) -> dict:
    saved = dict(os.environ)
    os.environ.update(request.get("env") or {})
    captured_out, captured_err = io.StringIO(), io.StringIO()
    ok, failure = True, ""
    try:
        with contextlib.redirect_stdout(captured_out), contextlib.redirect_stderr(captured_err):
            exec(compile(request["code"], "<runPython>", "exec"), {"__name__": "__main__"})
    except SystemExit as stop:
        if stop.code not in (None, 0):
            ok, failure = False, f"SystemExit({stop.code!r})"
    except BaseException:
        ok, failure = False, traceback.format_exc()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {"ok": ok, "stdout": captured_out.getvalue(), "stderr": captured_err.getvalue() + failure}


def main() -> None:
    answers = os.fdopen(3, "w", encoding="utf-8")
    for line in sys.stdin:
        answers.write(json.dumps(run(json.loads(line)), default=str) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
