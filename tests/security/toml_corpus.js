// tests/security/toml_corpus.js -- runs the TOML conformance corpus through `airssys toml decode`.
//
// usage: node toml_corpus.js <airssys> <corpus dir>
// Every valid/NAME.toml must decode (exit 0) to JSON equal to expected/NAME.json, compared
// semantically: object key order and whitespace do not matter, floats compare as numbers (nan
// equals nan, -0 equals -0 only), every other scalar compares type and text exactly. Every
// invalid/NAME.toml must exit with status 1 and print "line:column: message" on stderr.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const [bin, dir] = process.argv.slice(2);
if (!bin || !dir) {
  console.error('usage: node toml_corpus.js <airssys> <corpus dir>');
  process.exit(2);
}

function num(s) {
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (s === 'nan' || s === '+nan' || s === '-nan') return NaN;
  return Number(s);
}

function isTagged(v) {
  return v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 2 &&
         typeof v.type === 'string' && typeof v.value === 'string';
}

// Returns null when equal, else a description of the first difference.
function diff(exp, got, where) {
  if (Array.isArray(exp)) {
    if (!Array.isArray(got)) return `${where}: expected an array`;
    if (exp.length !== got.length) return `${where}: expected ${exp.length} elements, got ${got.length}`;
    for (let i = 0; i < exp.length; i++) {
      const d = diff(exp[i], got[i], `${where}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (isTagged(exp) && isTagged(got)) {
    if (exp.type !== got.type) return `${where}: expected type ${exp.type}, got ${got.type}`;
    if (exp.type === 'float') {
      const a = num(exp.value), b = num(got.value);
      if (Number.isNaN(a) && Number.isNaN(b)) return null;
      if (a === b && (a !== 0 || Object.is(a, b))) return null;
      return `${where}: expected float ${exp.value}, got ${got.value}`;
    }
    if (exp.value !== got.value)
      return `${where}: expected ${exp.type} ${JSON.stringify(exp.value)}, got ${JSON.stringify(got.value)}`;
    return null;
  }
  if (exp && typeof exp === 'object') {
    if (!got || typeof got !== 'object' || Array.isArray(got)) return `${where}: expected a table`;
    const ek = Object.keys(exp).sort(), gk = Object.keys(got).sort();
    if (JSON.stringify(ek) !== JSON.stringify(gk))
      return `${where}: expected keys ${JSON.stringify(ek)}, got ${JSON.stringify(gk)}`;
    for (const k of ek) {
      const d = diff(exp[k], got[k], `${where}.${JSON.stringify(k)}`);
      if (d) return d;
    }
    return null;
  }
  return `${where}: unexpected value ${JSON.stringify(exp)}`;
}

function run(file) {
  return spawnSync(bin, ['toml', 'decode'], { input: fs.readFileSync(file), maxBuffer: 64 << 20 });
}

let failures = 0, passed = 0;
const fail = (msg) => { failures++; console.log('FAIL ' + msg); };

const validDir = path.join(dir, 'valid'), expDir = path.join(dir, 'expected');
for (const f of fs.readdirSync(validDir).filter((f) => f.endsWith('.toml')).sort()) {
  const name = f.slice(0, -5);
  const r = run(path.join(validDir, f));
  if (r.status !== 0) { fail(`valid/${f}: exit ${r.status} ${r.signal || ''}: ${r.stderr}`); continue; }
  let got, exp;
  try { got = JSON.parse(r.stdout.toString('utf8')); } catch (e) { fail(`valid/${f}: output is not JSON: ${e}`); continue; }
  try { exp = JSON.parse(fs.readFileSync(path.join(expDir, name + '.json'), 'utf8')); } catch (e) { fail(`expected/${name}.json: ${e}`); continue; }
  const d = diff(exp, got, name);
  if (d) fail(`valid/${f}: ${d}`); else passed++;
}

const invalidDir = path.join(dir, 'invalid');
for (const f of fs.readdirSync(invalidDir).filter((f) => f.endsWith('.toml')).sort()) {
  const r = run(path.join(invalidDir, f));
  const err = r.stderr.toString('utf8');
  if (r.status !== 1) { fail(`invalid/${f}: expected exit 1, got ${r.status} ${r.signal || ''} (stdout: ${r.stdout.toString().slice(0, 200)})`); continue; }
  if (!/^\d+:\d+: \S/.test(err)) { fail(`invalid/${f}: stderr is not "line:column: message": ${err}`); continue; }
  if (process.env.TOML_CORPUS_VERBOSE) console.log(`invalid/${f}: ${err.trim()}`);
  passed++;
}

console.log(`${passed} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
