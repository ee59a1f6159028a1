// bench/peers/wasm_node.mjs -- the node (V8) peer of the WebAssembly workloads.
//
// Usage: node wasm_node.mjs <guest-dir> <name>:<n> [<name>:<n> ...]
// Loads <guest-dir>/wl_<name>.wasm (a reactor: _initialize is called first), measures run(n) the
// way bench/harness.c does (calibrate to ASW_BENCH_SAMPLE_MS per sample, warm up, take
// ASW_BENCH_SAMPLES samples within ASW_BENCH_MAX_MS; ASW_BENCH_QUICK=1 for smoke runs), and
// prints one JSON line per workload on stdout:
//   {"bench":"wasm.node.<name>","unit":"ns/op","median":..,"p99":..,"min":..,"mean":..,
//    "stddev":..,"samples":..,"iters":..,"checksum":"<16 hex digits of run(n)>"}
// and a table row on stderr. The warm-up lasts at least 300 ms (outside quick mode) so V8 has
// tiered the module up from its baseline compiler (Liftoff) to optimized code (TurboFan): the
// numbers are V8's steady state. Normally started by wasm_native_bench, which checks the
// checksums against native code and computes the ratios.
import { readFileSync } from 'node:fs';

const env = process.env;
const quick = !!env.ASW_BENCH_QUICK && env.ASW_BENCH_QUICK !== '0';
const envInt = (name, dflt) => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) && n > 0 ? n : dflt;
};
const sampleNs = 1e6 * envInt('ASW_BENCH_SAMPLE_MS', quick ? 1 : 10);
const nSamples = Math.min(envInt('ASW_BENCH_SAMPLES', quick ? 5 : 30), 1000);
const minSamples = Math.min(nSamples, quick ? 3 : 5);
const budgetNs = 1e6 * envInt('ASW_BENCH_MAX_MS', quick ? 300 : 3000);
const warmupNs = quick ? sampleNs : Math.max(5 * sampleNs, 300e6);
const filters = (env.ASW_BENCH_FILTER || '').split(',').filter((s) => s.length > 0);
const enabled = (name) => filters.length === 0 || filters.some((f) => name.includes(f));

const now = () => Number(process.hrtime.bigint());

function fmt(v) {
  if (!Number.isFinite(v)) return 'null';
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(2) : v.toFixed(4);
}

function measure(run, n) {
  let sink = 0n;
  const batch = (iters) => {
    const t0 = now();
    for (let i = 0; i < iters; i++) sink ^= run(n);
    return now() - t0;
  };
  // Calibrate: grow the batch until it lasts half a sample, then scale to one sample.
  let iters = 1;
  let t;
  for (;;) {
    t = batch(iters);
    if (t >= 0.5 * sampleNs || iters >= 2 ** 40) break;
    iters = t < 1000 ? iters * 10 : Math.floor(iters * Math.min(10, Math.max(2, sampleNs / t)));
  }
  iters = Math.max(1, Math.floor((iters * sampleNs) / Math.max(t, 1)));
  for (let warm = 0; warm < warmupNs; ) warm += batch(iters);
  const v = [];
  let spent = 0;
  while (v.length < nSamples) {
    const s = batch(iters);
    spent += s;
    v.push(s / iters);
    if (spent > budgetNs && v.length >= minSamples) break;
  }
  v.sort((a, b) => a - b);
  const k = v.length;
  const median = k % 2 === 1 ? v[(k - 1) / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
  const p99 = v[Math.max(1, Math.ceil(0.99 * k)) - 1];
  const mean = v.reduce((a, b) => a + b, 0) / k;
  const sq = v.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  const stddev = k > 1 ? Math.sqrt(sq / (k - 1)) : 0;
  return { median, p99, min: v[0], mean, stddev, samples: k, iters, sink };
}

const [dir, ...specs] = process.argv.slice(2);
if (!dir || specs.length === 0) {
  console.error('usage: node wasm_node.mjs <guest-dir> <name>:<n> ...');
  process.exit(2);
}
let failed = 0;
for (const spec of specs) {
  const [name, nText] = spec.split(':');
  const n = Number.parseInt(nText, 10);
  const metric = `wasm.node.${name}`;
  if (!enabled(metric)) continue;
  try {
    const bytes = readFileSync(`${dir}/wl_${name}.wasm`);
    const { instance } = await WebAssembly.instantiate(bytes, {});
    const ex = instance.exports;
    if (typeof ex._initialize === 'function') ex._initialize();
    if (typeof ex.run !== 'function') throw new Error('module exports no run function');
    const checksum = BigInt.asUintN(64, BigInt(ex.run(n))).toString(16).padStart(16, '0');
    const r = measure(ex.run, n);
    const noisy =
      (r.mean > 0 && r.stddev / r.mean > 0.1) || (r.median > 0 && (r.p99 - r.median) / r.median > 0.5);
    process.stdout.write(
      `{"bench":"${metric}","unit":"ns/op","median":${fmt(r.median)},"p99":${fmt(r.p99)},` +
        `"min":${fmt(r.min)},"mean":${fmt(r.mean)},"stddev":${fmt(r.stddev)},` +
        `"samples":${r.samples},"iters":${r.iters},"checksum":"${checksum}"` +
        `${noisy ? ',"noisy":true' : ''}}\n`,
    );
    console.error(
      `${metric.padEnd(44)} ${r.median.toFixed(2).padStart(12)} ${r.p99.toFixed(2).padStart(12)} ` +
        `${r.min.toFixed(2).padStart(12)} ${String(r.samples).padStart(7)}  ns/op${noisy ? '  (noisy)' : ''}`,
    );
  } catch (e) {
    console.error(`wasm_node.mjs: ${metric}: ${e.message}`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
