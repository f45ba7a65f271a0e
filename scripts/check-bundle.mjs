// Fails when the Worker bundle would not fit Workers Free: its limit is 3 MB compressed
// (1 MB for older accounts); we hold ourselves to the stricter 1 MiB gzipped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMIT = 1024 * 1024;
const dir = process.argv[2] ?? 'dist';
const files = readdirSync(dir).filter((f) => /\.(m?js|wasm)$/.test(f));
if (files.length === 0) {
  console.error(`no bundle found in ${dir}`);
  process.exit(1);
}
let raw = 0;
let gzipped = 0;
for (const file of files) {
  const bytes = readFileSync(join(dir, file));
  raw += statSync(join(dir, file)).size;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
console.log(`bundle: ${files.join(', ')} — ${(raw / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped (limit ${LIMIT / 1024} KiB)`);
if (gzipped > LIMIT) {
  console.error('bundle exceeds the Workers Free size limit');
  process.exit(1);
}
