// tests/wasm/diff/diff_node.mjs -- the V8 side of the differential test: the same calls and the
// same output format as diff_runner.c (see its header comment).
// usage: node diff_node.mjs MODULE.wasm SEED
import { readFileSync } from 'node:fs';

const [file, seedArg] = process.argv.slice(2);
let state = BigInt.asUintN(64, BigInt(seedArg));
const M64 = (1n << 64n) - 1n;
function next() {
  state = (state + 0x9e3779b97f4a7c15n) & M64;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

const sp32 = [0n, 1n, 0xffffffffn, 0x7fffffffn, 0x80000000n, 2n, 0xffn, 0x10000n];
const sp64 = [0n, 1n, 0xffffffffffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffn,
  0x100000000n, 0xffn];
const spf32 = [0n, 0x80000000n, 0x3f800000n, 0xbf800000n, 0x7f800000n, 0xff800000n, 1n, 0x7f7fffffn];
const spf64 = [0n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n,
  0x7ff0000000000000n, 0xfff0000000000000n, 1n, 0x7fefffffffffffffn];
const dv = new DataView(new ArrayBuffer(8));

function makeArg(type) {
  const r = next(), v = next();
  const special = (r & 3n) === 0n;
  switch (type) {
    case 'i32': return Number(BigInt.asIntN(32, special ? sp32[Number(v % 8n)] : v & 0xffffffffn));
    case 'i64': return BigInt.asIntN(64, special ? sp64[Number(v % 8n)] : v);
    case 'f32': {
      let b = special ? spf32[Number(v % 8n)] : v & 0xffffffffn;
      if ((b & 0x7f800000n) === 0x7f800000n && (b & 0x7fffffn) !== 0n) b &= ~0x40000000n;
      dv.setUint32(0, Number(b));
      return dv.getFloat32(0);
    }
    case 'f64': {
      let b = special ? spf64[Number(v % 8n)] : v;
      if ((b & 0x7ff0000000000000n) === 0x7ff0000000000000n && (b & 0xfffffffffffffn) !== 0n)
        b &= ~0x4000000000000000n;
      dv.setBigUint64(0, b);
      return dv.getFloat64(0);
    }
    default: return null;
  }
}

function fmt(type, v) {
  switch (type) {
    case 'i32': return String(v | 0);
    case 'i64': return String(BigInt.asIntN(64, v));
    case 'f32': {
      if (Number.isNaN(v)) return 'nan';
      dv.setFloat32(0, v);
      return '0x' + dv.getUint32(0).toString(16).padStart(8, '0');
    }
    case 'f64': {
      if (Number.isNaN(v)) return 'nan';
      dv.setFloat64(0, v);
      return '0x' + dv.getBigUint64(0).toString(16).padStart(16, '0');
    }
    default: return v === null ? 'null' : 'ref';
  }
}

// Function types come from the binary itself (node 20 has no type reflection).
function readTypes(bytes) {
  let p = 8;
  const u32 = () => { let r = 0, s = 0, b; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const vt = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x70: 'funcref', 0x6f: 'externref' };
  const types = [], funcTypes = [], exports = [];
  while (p < bytes.length) {
    const id = bytes[p++], size = u32(), end = p + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        p++; // 0x60
        const params = []; for (let k = u32(); k > 0; k--) params.push(vt[bytes[p++]]);
        const results = []; for (let k = u32(); k > 0; k--) results.push(vt[bytes[p++]]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        for (let k = 0; k < 2; k++) { const len = u32(); p += len; } // module and field names
        const kind = bytes[p++];
        if (kind === 0) funcTypes.push(types[u32()]);
        else if (kind === 1) { p++; const f = bytes[p++]; u32(); if (f & 1) u32(); }
        else if (kind === 2) { const f = bytes[p++]; u32(); if (f & 1) u32(); }
        else if (kind === 3) p += 2;
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcTypes.push(types[u32()]);
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const len = u32(); const name = Buffer.from(bytes.subarray(p, p + len)).toString('utf8'); p += len;
        const kind = bytes[p++], idx = u32();
        exports.push({ name, kind, idx });
      }
    }
    p = end;
  }
  return { funcTypes, exports };
}

const out = [];
const bytes = new Uint8Array(readFileSync(file));
const { funcTypes, exports } = readTypes(bytes);
let mod;
try {
  mod = new WebAssembly.Module(bytes);
} catch (e) {
  console.log('compile failed: ' + e.message);
  process.exit(1);
}
const imports = {};
let funcIndex = 0;
for (const imp of WebAssembly.Module.imports(mod)) {
  if (imp.kind !== 'function') continue;
  const type = funcTypes[funcIndex++];
  if (imp.module !== 'fuzzing-support') continue;
  imports[imp.module] = imports[imp.module] || {};
  imports[imp.module][imp.name] = (...args) => {
    out.push(['log', imp.name, ...args.map((a, i) => fmt(type.params[i], a))].join(' '));
    if (type.results.length === 1) return type.results[0] === 'i64' ? 0n : 0;
    if (type.results.length > 1) return type.results.map((t) => (t === 'i64' ? 0n : 0));
    return undefined;
  };
}
let inst;
try {
  inst = new WebAssembly.Instance(mod, imports);
} catch (e) {
  out.push('instantiate failed: ' + (e instanceof WebAssembly.RuntimeError ? 'trap' : e.message));
  console.log(out.join('\n'));
  process.exit(1);
}
for (const ex of exports) {
  if (ex.kind !== 0) continue;
  const type = funcTypes[ex.idx];
  const args = type.params.map(makeArg);
  let line = `${ex.name} ->`;
  try {
    let r = inst.exports[ex.name](...args);
    if (type.results.length === 1) r = [r];
    else if (type.results.length === 0) r = [];
    type.results.forEach((t, i) => { line += ' ' + fmt(t, r[i]); });
  } catch (e) {
    if (e instanceof RangeError) line += ' exhausted';
    else if (e instanceof WebAssembly.RuntimeError) line += ' trap';
    else line += ' error ' + e.message;
  }
  out.push(line);
}
console.log(out.join('\n'));
