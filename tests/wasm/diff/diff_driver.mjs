// tests/wasm/diff/diff_driver.mjs -- differential testing of airssys-wasm against V8.
//
// usage: node diff_driver.mjs --runner PATH/wasm_diff_runner [--count N] [--seed S]
//                             [--workdir DIR] [--fuel N] [--node-timeout MS]
// Environment: ASW_DIFF_COUNT overrides --count (long manual runs, e.g. ASW_DIFF_COUNT=5000).
//
// For module i it derives seed S*100000+i, makes 1-16 KiB of pseudo-random bytes from it,
// turns them into a valid module with binaryen (`wasm-opt -ttf`, WebAssembly 2.0 features
// without SIMD; binaryen 108's reference types predate the 2.0 rules, so they stay off), runs
// diff_node.mjs (V8) and our wasm_diff_runner on it and compares their outputs line by line.
// Skipped, not compared: modules binaryen failed to make, modules where V8 exceeded its time
// budget or our runner ran out of fuel (possibly endless loops), and modules where either side
// exhausted its call stack (the depth at which that happens differs by engine). A mismatch
// keeps the module as DIR/mismatch-<seed>.wasm and prints the first differing line.
// Prints "N compared, M mismatched, K skipped"; exit status 1 iff M > 0.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const opt = { count: 40, seed: 1, workdir: 'diff-work', fuel: 20000000, nodeTimeout: 10000, runner: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  if (!(k in opt)) { console.error(`unknown option ${argv[i]}`); process.exit(2); }
  opt[k] = k === 'runner' || k === 'workdir' ? argv[i + 1] : Number(argv[i + 1]);
}
if (process.env.ASW_DIFF_COUNT) opt.count = Number(process.env.ASW_DIFF_COUNT);
if (!opt.runner) { console.error('usage: node diff_driver.mjs --runner PATH [--count N] [--seed S]'); process.exit(2); }
mkdirSync(opt.workdir, { recursive: true });

const features = ['--enable-sign-ext', '--enable-mutable-globals', '--enable-nontrapping-float-to-int',
  '--enable-bulk-memory', '--enable-multivalue', '--disable-simd'];

function bytesFor(seed) {
  let s = BigInt(seed) & ((1n << 64n) - 1n);
  const next = () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    return Number(s >> 33n);
  };
  const n = 1024 + (next() % 15360);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = next() & 0xff;
  return b;
}

let compared = 0, mismatched = 0, skipped = 0;
const skipWhy = {};
const skip = (why) => { skipped++; skipWhy[why] = (skipWhy[why] || 0) + 1; };
for (let i = 0; i < opt.count; i++) {
  const seed = opt.seed * 100000 + i;
  const input = join(opt.workdir, 'input.bin'), wasm = join(opt.workdir, 'module.wasm');
  writeFileSync(input, bytesFor(seed));
  const gen = spawnSync('wasm-opt', ['-ttf', input, '-o', wasm, ...features], { encoding: 'utf8' });
  if (gen.status !== 0) { skip('binaryen failed'); continue; }
  const v8 = spawnSync(process.execPath, [join(here, 'diff_node.mjs'), wasm, String(seed)],
    { encoding: 'utf8', timeout: opt.nodeTimeout, maxBuffer: 64 << 20 });
  if (v8.error || v8.signal) { skip('V8 time budget'); continue; }
  if (v8.status !== 0 && !/^(compile|instantiate) failed/m.test(v8.stdout)) {
    mismatched++;
    console.log(`seed ${seed}: diff_node.mjs failed: ${v8.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
    continue;
  }
  const ours = spawnSync(opt.runner, [wasm, String(seed), '--fuel', String(opt.fuel)],
    { encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20 });
  if (ours.error || ours.signal) {
    mismatched++;
    console.log(`seed ${seed}: our runner did not finish (${ours.error || ours.signal})`);
    copyFileSync(wasm, join(opt.workdir, `mismatch-${seed}.wasm`));
    continue;
  }
  const a = v8.stdout.trimEnd().split('\n'), b = ours.stdout.trimEnd().split('\n');
  if (b.some((l) => l.endsWith('-> fuel'))) { skip('our fuel ran out'); continue; }
  if (a.some((l) => l.endsWith('-> exhausted')) || b.some((l) => l.endsWith('-> exhausted'))) {
    skip('call stack exhausted'); continue;
  }
  compared++;
  const n = Math.max(a.length, b.length);
  for (let k = 0; k < n; k++) {
    if (a[k] !== b[k]) {
      mismatched++;
      console.log(`seed ${seed}: line ${k + 1}: V8 "${a[k] ?? '(end)'}" vs airssys "${b[k] ?? '(end)'}"`);
      copyFileSync(wasm, join(opt.workdir, `mismatch-${seed}.wasm`));
      break;
    }
  }
}
const why = Object.entries(skipWhy).map(([k, v]) => `${v} ${k}`).join(', ');
console.log(`${compared} compared, ${mismatched} mismatched, ${skipped} skipped${why ? ` (${why})` : ''}`);
process.exit(mismatched ? 1 : 0);
