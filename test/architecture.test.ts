/**
 * The shape of src/ (README "Architecture"): each folder is one concern and imports only folders below it, and no
 * module imports itself back through a chain. `import type { Env }` is the one edge allowed upward: src/env.ts names
 * the Durable Object classes, and the type is erased at build time. Runs in Node (it reads the source files).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..', 'src');

/** Top to bottom: a folder may import any folder after it in this list, never one before it. */
const LAYERS = ['web', 'protocol', 'auth', 'registry', 'queue', 'delivery', 'lambda', 'shared'];

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

function resolveModule(fromFile: string, specifier: string, files: Set<string>): string | undefined {
  const base = normalize(join(dirname(fromFile), specifier));
  return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')].find((p) => files.has(p));
}

function importEdges(): Edge[] {
  const files = sourceFiles(SRC);
  const known = new Set(files);
  const pattern = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm;
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(pattern)].flatMap((match) => {
      const to = resolveModule(file, match[3], known);
      return to ? [{ from: relative(SRC, file), to: relative(SRC, to), typeOnly: match[2] !== undefined }] : [];
    }),
  );
}

const layerOf = (path: string) => (path.includes('/') ? path.split('/')[0] : undefined);

describe('architecture', () => {
  const edges = importEdges();

  it('finds the source tree', () => {
    expect(edges.length).toBeGreaterThan(50);
    for (const layer of LAYERS) expect(edges.some((e) => layerOf(e.from) === layer), layer).toBe(true);
  });

  it('has no folder outside the known layers', () => {
    const folders = new Set(edges.map((e) => layerOf(e.from)).filter((f) => f !== undefined));
    expect([...folders].filter((f) => !LAYERS.includes(f))).toEqual([]);
  });

  it('imports only downward, except the Env type', () => {
    const upward = edges.filter((e) => {
      const from = layerOf(e.from);
      if (from === undefined) return false; // src/index.ts wires everything; src/env.ts names the classes
      if (e.to === 'env.ts') return !e.typeOnly;
      const to = layerOf(e.to);
      if (to === undefined) return true; // a layer importing the wiring
      return LAYERS.indexOf(to) < LAYERS.indexOf(from);
    });
    expect(upward.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('has no import cycle between modules', () => {
    const graph = new Map<string, string[]>();
    // The Env type edge is the accepted exception (see above); every other edge counts, type-only or not.
    for (const e of edges.filter((e) => e.to !== 'env.ts')) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
