import { describe, expect, it } from 'vitest';
import { compileConfig } from '../compile.ts';
import { MINIMAL_YAML } from '../test-fixtures.ts';

describe('maintenance.worker', () => {
  it('fills the documented defaults', () => {
    expect(compileConfig(MINIMAL_YAML, {}).maintenance.worker).toEqual({
      concurrency: 2,
      lock_duration_ms: 60_000,
      stalled_interval_ms: 30_000,
      table_lock_ttl_ms: 60_000,
      table_lock_wait_ms: 300_000,
      metrics_port: 9464,
      metrics_host: '127.0.0.1',
    });
  });

  it('takes a metrics_host to listen on and names the field when it is not an address', () => {
    const open = `${MINIMAL_YAML}maintenance:\n  worker:\n    metrics_host: 0.0.0.0\n`;
    expect(compileConfig(open, {}).maintenance.worker.metrics_host).toBe('0.0.0.0');
    const wrong = `${MINIMAL_YAML}maintenance:\n  worker:\n    metrics_host: "http://0.0.0.0/"\n`;
    expect(() => compileConfig(wrong, {})).toThrow(
      'maintenance.worker.metrics_host: is not an address to listen on, got the text "http://0.0.0.0/" — use 127.0.0.1 (this machine only), 0.0.0.0 (every interface, e.g. in a container) or one address',
    );
  });

  it('names the field and the limit when a value is out of range', () => {
    const yaml = `${MINIMAL_YAML}maintenance:\n  worker:\n    table_lock_ttl_ms: 500\n`;
    expect(() => compileConfig(yaml, {})).toThrow(/maintenance\.worker\.table_lock_ttl_ms/);
    expect(() => compileConfig(yaml, {})).toThrow(/1000/);
  });

  it('rejects unknown worker keys', () => {
    const yaml = `${MINIMAL_YAML}maintenance:\n  worker:\n    lock_ttl: 5\n`;
    expect(() => compileConfig(yaml, {})).toThrow(/lock_ttl/);
  });
});
