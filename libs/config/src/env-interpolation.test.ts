// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolateString, interpolateTree } from './env-interpolation.ts';

describe('interpolateString', () => {
  it('substitutes several references in one value and reports what it read', () => {
    const result = interpolateString('redis://${env:HOST}:${env:PORT:-6379}/0', { HOST: 'r1' }, [
      'queue',
      'redis_url',
    ]);
    expect(result).toEqual({ value: 'redis://r1:6379/0', references: ['HOST', 'PORT'], issues: [] });
  });

  it('uses the fallback for an empty variable and keeps a set one', () => {
    expect(interpolateString('${env:A:-x}', { A: '' }, []).value).toBe('x');
    expect(interpolateString('${env:A:-x}', { A: 'y' }, []).value).toBe('y');
    expect(interpolateString('${env:A:-}', {}, []).value).toBe('');
  });

  it('reports each unset variable with the field path', () => {
    const result = interpolateString('${env:A}-${env:B}', {}, ['maintenance', 'schedules', 0, 'name']);
    expect(result.issues.map((issue) => `${issue.path}: ${issue.problem}`)).toEqual([
      'maintenance.schedules[0].name: environment variable A is not set',
      'maintenance.schedules[0].name: environment variable B is not set',
    ]);
  });

  it('leaves text without placeholders unchanged (property)', () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => !text.includes('${')),
        (text) => interpolateString(text, {}, []).value === text,
      ),
    );
  });
});

describe('interpolateTree', () => {
  it('walks lists and mappings, records templates and resolved values, and honours the path filter', () => {
    const tree = { a: ['${env:X}', 'plain'], b: { c: '${env:Y}' } };
    const result = interpolateTree(tree, { X: 'x-value', Y: 'y-value' }, (path) => path[0] === 'a');
    expect(result.value).toEqual({ a: ['x-value', 'plain'], b: { c: '${env:Y}' } });
    expect(result.templates).toEqual([{ path: ['a', 0], template: '${env:X}' }]);
    expect(result.resolvedValues).toEqual(['x-value']);
  });
});
