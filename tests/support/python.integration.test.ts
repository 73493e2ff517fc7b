// runPython's warm interpreters behave like a fresh `python -c` per snippet: fresh globals,
// the caller's environment only for that snippet, failures with the traceback, and concurrent
// snippets that can wait on each other (each gets its own interpreter).
import { describe, expect, it } from 'vitest';
import { runPython } from './python.ts';

describe('runPython', () => {
  it('gives each snippet fresh globals', async () => {
    await runPython('leaked = 41\nfrom floe_peers import emit\nemit(1)');
    expect(await runPython<boolean>("from floe_peers import emit\nemit('leaked' in globals())")).toBe(false);
  });

  it('sets the given environment for one snippet only', async () => {
    const code = "import os\nfrom floe_peers import emit\nemit(os.environ.get('FLOE_PY_PROBE'))";
    expect(await runPython<string>(code, { FLOE_PY_PROBE: 'set' })).toBe('set');
    expect(await runPython<string | null>(code)).toBeNull();
  });

  it('parses the last stdout line and reports a failure with its traceback', async () => {
    expect(await runPython<number[]>("print('noise')\nfrom floe_peers import emit\nemit([1, 2])")).toEqual([
      1, 2,
    ]);
    await expect(runPython("raise ValueError('broken snippet')")).rejects.toThrow(
      /ValueError: broken snippet/,
    );
    await expect(runPython('import sys\nsys.exit(3)')).rejects.toThrow(/SystemExit\(3\)/);
  });

  it('runs concurrent snippets side by side, so one can wait for another', async () => {
    const marker = `/tmp/floe-py-pool-${process.pid}-${Date.now()}`;
    const waiter = runPython<string>(
      `import os, time\nfrom floe_peers import emit\nfor _ in range(200):\n    if os.path.exists('${marker}'):\n        break\n    time.sleep(0.05)\nemit('saw it' if os.path.exists('${marker}') else 'timed out')`,
    );
    await runPython(`open('${marker}', 'w').close()\nfrom floe_peers import emit\nemit(True)`);
    expect(await waiter).toBe('saw it');
    await runPython(`import os\nos.remove('${marker}')\nfrom floe_peers import emit\nemit(True)`);
  });
});
