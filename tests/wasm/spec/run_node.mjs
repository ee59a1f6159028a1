// tests/wasm/spec/run_node.mjs -- runs a wast2json command file on V8 (node's WebAssembly JS
// API), to check that our own spec-style corpus says what a second, independent engine does.
//
// usage: node run_node.mjs [-v] FILE.json
// Prints "N passed, M failed, K skipped" as the last line; exit status 1 iff M > 0.
//
// Semantics follow tools/cmd_wasm_wast.c (our runner) with the limits of the JS API:
//  - values cross the JS boundary, so a NaN's payload is not reliable there: nan:canonical and
//    nan:arithmetic are checked on the bits that arrive (V8 keeps the quiet bit), but an exact
//    NaN bit pattern as an expected result or an argument is reported as a failure, so the
//    corpus must pass such NaNs as integers and reinterpret them inside wasm;
//  - V8 does not tell malformed from invalid modules (both are CompileError), so
//    assert_malformed and assert_invalid only check that compilation fails;
//  - trap texts are mapped to V8's messages to check the trap class;
//  - "ref.extern N" is one JS object per N; funcref results are checked as null / non-null.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const argv = process.argv.slice(2);
const verbose = argv.includes('-v');
const file = argv.find((a) => a !== '-v');
if (!file) {
  console.error('usage: node run_node.mjs [-v] FILE.json');
  process.exit(2);
}
const script = JSON.parse(readFileSync(file, 'utf8'));
const dir = dirname(file);
const source = script.source_filename || file;

let passed = 0, failed = 0, skipped = 0, line = 0;
const fail = (msg) => { failed++; if (verbose) console.error(`${source}:${line}: FAIL: ${msg}`); };
const skip = (msg) => { skipped++; if (verbose) console.error(`${source}:${line}: skip: ${msg}`); };

const dv = new DataView(new ArrayBuffer(8));
const f32FromBits = (u) => { dv.setUint32(0, u); return dv.getFloat32(0); };
const f64FromBits = (u) => { dv.setBigUint64(0, u); return dv.getFloat64(0); };
const f32Bits = (x) => { dv.setFloat32(0, x); return dv.getUint32(0); };
const f64Bits = (x) => { dv.setFloat64(0, x); return dv.getBigUint64(0); };

const hostRefs = new Map();
const hostRef = (n) => {
  if (!hostRefs.has(n)) hostRefs.set(n, { hostRef: n });
  return hostRefs.get(n);
};

class Skip extends Error {}

function argValue(a) {
  switch (a.type) {
    case 'i32': return Number(BigInt(a.value)) | 0;
    case 'i64': return BigInt.asIntN(64, BigInt(a.value));
    case 'f32': {
      const u = Number(BigInt(a.value));
      if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0 && (u & 0x7fffffff) !== 0x7fc00000)
        throw new Error(`f32 NaN argument with payload 0x${u.toString(16)} cannot cross the JS boundary`);
      return f32FromBits(u);
    }
    case 'f64': {
      const u = BigInt(a.value);
      const mag = u & 0x7fffffffffffffffn;
      if (mag > 0x7ff0000000000000n && mag !== 0x7ff8000000000000n)
        throw new Error(`f64 NaN argument with payload cannot cross the JS boundary`);
      return f64FromBits(u);
    }
    case 'externref': return a.value === 'null' ? null : hostRef(Number(a.value));
    case 'funcref':
      if (a.value === 'null') return null;
      throw new Skip('non-null funcref argument');
    default: throw new Skip(`unsupported argument type ${a.type}`);
  }
}

// Returns true / false, or throws Skip.
function matches(e, got) {
  switch (e.type) {
    case 'either':
      for (const alt of e.values) if (matches(alt, got)) return true;
      return false;
    case 'i32': return typeof got === 'number' && (got >>> 0) === Number(BigInt(e.value));
    case 'i64': return typeof got === 'bigint' && BigInt.asUintN(64, got) === BigInt(e.value);
    case 'f32': {
      if (typeof got !== 'number') return false;
      const b = f32Bits(got);
      if (e.value === 'nan:canonical') return (b & 0x7fffffff) === 0x7fc00000;
      if (e.value === 'nan:arithmetic') return (b & 0x7fc00000) === 0x7fc00000;
      const want = Number(BigInt(e.value));
      if ((want & 0x7f800000) === 0x7f800000 && (want & 0x7fffff) !== 0 && want !== 0x7fc00000)
        throw new Error('exact NaN payload expected: not checkable through JS; reinterpret in wasm');
      return b === want;
    }
    case 'f64': {
      if (typeof got !== 'number') return false;
      const b = f64Bits(got);
      if (e.value === 'nan:canonical') return (b & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
      if (e.value === 'nan:arithmetic') return (b & 0x7ff8000000000000n) === 0x7ff8000000000000n;
      const want = BigInt(e.value);
      const mag = want & 0x7fffffffffffffffn;
      if (mag > 0x7ff0000000000000n && want !== 0x7ff8000000000000n)
        throw new Error('exact NaN payload expected: not checkable through JS; reinterpret in wasm');
      return b === want;
    }
    case 'externref':
      if (e.value === 'null') return got === null;
      if (e.value === undefined) return got !== null;
      return got === hostRef(Number(e.value));
    case 'funcref':
      if (e.value === 'null') return got === null;
      return typeof got === 'function';
    default: throw new Skip(`unsupported expected type ${e.type}`);
  }
}

const show = (v) => {
  if (typeof v === 'number') return `${v} (f32 0x${f32Bits(v).toString(16)}, f64 0x${f64Bits(v).toString(16)})`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v && typeof v === 'object' && 'hostRef' in v) return `ref.extern ${v.hostRef}`;
  if (typeof v === 'function') return 'funcref';
  return String(v);
};

// ---------------------------------------------------------------- spectest and linking
// The print functions are real wasm functions (a JS function would match any import type).
function printModule() {
  const names = ['print', 'print_i32', 'print_i64', 'print_f32', 'print_f64', 'print_i32_f32', 'print_f64_f64'];
  const params = [[], [0x7f], [0x7e], [0x7d], [0x7c], [0x7f, 0x7d], [0x7c, 0x7c]];
  const str = (s) => [s.length, ...Buffer.from(s)];
  const section = (id, body) => [id, body.length, ...body]; // every section here is < 128 bytes
  const types = [params.length, ...params.flatMap((p) => [0x60, p.length, ...p, 0])];
  const funcs = [names.length, ...names.map((_, i) => i)];
  const exps = [names.length, ...names.flatMap((n, i) => [...str(n), 0, i])];
  const code = [names.length, ...names.flatMap(() => [2, 0, 0x0b])];
  const bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, types), ...section(3, funcs),
    ...section(7, exps), ...section(10, code)];
  return new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes))).exports;
}
const spectest = {
  ...printModule(),
  global_i32: new WebAssembly.Global({ value: 'i32' }, 666),
  global_i64: new WebAssembly.Global({ value: 'i64' }, 666n),
  global_f32: new WebAssembly.Global({ value: 'f32' }, 666.6),
  global_f64: new WebAssembly.Global({ value: 'f64' }, 666.6),
  table: new WebAssembly.Table({ element: 'anyfunc', initial: 10, maximum: 20 }),
  memory: new WebAssembly.Memory({ initial: 1, maximum: 2 }),
};
const registry = { spectest };
const named = new Map();
let current = null; // { exports } or { skipped: true } or null

function importObject(mod) {
  const obj = {};
  for (const imp of WebAssembly.Module.imports(mod)) {
    const src = registry[imp.module];
    if (!src) continue; // leaves the module object missing: instantiation fails (TypeError)
    obj[imp.module] = obj[imp.module] || {};
    if (imp.name in src) obj[imp.module][imp.name] = src[imp.name];
  }
  return obj;
}

function loadModule(cmd) {
  if ((cmd.module_type && cmd.module_type !== 'binary') || (cmd.filename || '').endsWith('.wat'))
    throw new Skip('text-format module');
  return new WebAssembly.Module(readFileSync(join(dir, cmd.filename)));
}

function instanceFor(name) {
  const inst = name === undefined ? current : named.get(name);
  if (inst && inst.skipped) throw new Skip('its module was skipped');
  if (!inst) throw new Error('no module instance');
  return inst;
}

function runAction(action) {
  const inst = instanceFor(action.module);
  const exp = inst.exports[action.field];
  if (exp === undefined) throw new Error(`no export "${action.field}"`);
  if (action.type === 'get') return [exp.value];
  if (action.type !== 'invoke') throw new Skip(`unknown action ${action.type}`);
  const args = (action.args || []).map(argValue);
  const r = exp(...args);
  if (r === undefined) return [];
  return Array.isArray(r) ? r : [r];
}

// Expected trap text -> V8 message pattern.
const trapPatterns = [
  ['unreachable', /unreachable/],
  ['out of bounds memory access', /memory access out of bounds|out of bounds/],
  ['out of bounds table access', /table index is out of bounds|out of bounds|table access/],
  ['undefined element', /table index is out of bounds|out of bounds/],
  ['uninitialized element', /null function|uninitialized|signature mismatch/],
  ['indirect call type mismatch', /signature mismatch|null function/],
  ['integer overflow', /unrepresentable|overflow/],
  ['integer divide by zero', /by zero/],
  ['invalid conversion to integer', /float unrepresentable|unrepresentable/],
  ['call stack exhausted', /call stack/],
];

function checkTrap(e, text) {
  if (text === 'call stack exhausted') return e instanceof RangeError;
  if (!(e instanceof WebAssembly.RuntimeError)) return false;
  for (const [t, re] of trapPatterns) if (text && text.startsWith(t)) return re.test(e.message);
  return true;
}

function run(cmd) {
  switch (cmd.type) {
    case 'module': {
      let mod;
      try {
        mod = loadModule(cmd);
      } catch (e) {
        if (e instanceof Skip) {
          current = { skipped: true };
          if (cmd.name) named.set(cmd.name, current);
          throw e;
        }
        current = null;
        if (cmd.name) named.delete(cmd.name);
        throw e;
      }
      current = null;
      const inst = new WebAssembly.Instance(mod, importObject(mod));
      current = inst;
      if (cmd.name) named.set(cmd.name, inst);
      return;
    }
    case 'register': {
      const inst = instanceFor(cmd.name);
      registry[cmd.as] = inst.exports;
      return;
    }
    case 'action': runAction(cmd.action); return;
    case 'assert_return': {
      const got = runAction(cmd.action);
      const exp = cmd.expected || [];
      if (got.length !== exp.length) throw new Error(`expected ${exp.length} results, got ${got.length}`);
      exp.forEach((e, i) => {
        if (!matches(e, got[i])) throw new Error(`result ${i}: expected ${JSON.stringify(e)}, got ${show(got[i])}`);
      });
      return;
    }
    case 'assert_trap':
    case 'assert_exhaustion': {
      const text = cmd.type === 'assert_exhaustion' ? 'call stack exhausted' : cmd.text;
      try {
        runAction(cmd.action);
      } catch (e) {
        if (e instanceof Skip) throw e;
        if (checkTrap(e, text)) return;
        throw new Error(`expected trap "${text}", got ${e}`);
      }
      throw new Error(`expected trap "${text}", but it returned`);
    }
    case 'assert_invalid':
    case 'assert_malformed': {
      try {
        loadModule(cmd);
      } catch (e) {
        if (e instanceof Skip) throw e;
        if (e instanceof WebAssembly.CompileError) return;
        throw new Error(`expected CompileError ("${cmd.text}"), got ${e}`);
      }
      throw new Error(`expected ${cmd.type} ("${cmd.text}"), but the module compiled`);
    }
    case 'assert_unlinkable':
    case 'assert_uninstantiable': {
      const mod = loadModule(cmd);
      try {
        new WebAssembly.Instance(mod, importObject(mod));
      } catch (e) {
        if (cmd.type === 'assert_unlinkable' && (e instanceof WebAssembly.LinkError || e instanceof TypeError)) return;
        if (cmd.type === 'assert_uninstantiable' && checkTrap(e, cmd.text)) return;
        throw new Error(`expected ${cmd.type} ("${cmd.text}"), got ${e}`);
      }
      throw new Error(`expected ${cmd.type} ("${cmd.text}"), but the module instantiated`);
    }
    default:
      throw new Skip(`unknown command type ${cmd.type}`);
  }
}

for (const cmd of script.commands) {
  line = cmd.line || 0;
  try {
    run(cmd);
    passed++;
  } catch (e) {
    if (e instanceof Skip) skip(e.message);
    else fail(e && e.message ? e.message : String(e));
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
