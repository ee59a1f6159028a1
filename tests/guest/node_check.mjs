// tests/guest/node_check.mjs -- checks our guest toolchain's output with node's WebAssembly (V8):
// the command guest prints its greeting and exits with argc-1; the reactor guest's exports compute.
// Usage: node node_check.mjs hello.wasm add.wasm
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { spawnSync } from 'node:child_process';

const [helloPath, addPath] = process.argv.slice(2);
let failed = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok' : 'FAIL'}: ${what}`);
  if (!cond) failed++;
}

if (process.env.ASW_NODE_CHILD) {
  const wasi = new WASI({ version: 'preview1', args: ['hello', 'x', 'y'], env: {}, returnOnExit: true });
  const mod = await WebAssembly.compile(readFileSync(helloPath));
  const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
  process.exitCode = wasi.start(inst);
} else {
  const r = spawnSync(process.execPath, ['--no-warnings', process.argv[1], helloPath, addPath],
                      { env: { ...process.env, ASW_NODE_CHILD: '1' }, encoding: 'utf8' });
  check(r.stdout.includes('hello from wasm\n'), 'command guest prints its greeting');
  check(r.stdout.includes('arg 2: y\n'), 'command guest sees its arguments');
  check(r.status === 2, `command guest exit code is argc-1 (got ${r.status})`);

  const { instance } = await WebAssembly.instantiate(readFileSync(addPath), {});
  if (instance.exports._initialize) instance.exports._initialize();
  check(instance.exports.add(40, 2) === 42, 'reactor guest add(40, 2) == 42');
  check(instance.exports.add(0x7fffffff, 1) === -0x80000000, 'add wraps at 32 bits');
  check(instance.exports.fib(20) === 6765n, 'reactor guest fib(20) == 6765');
  console.log(failed ? `${failed} checks failed` : 'all guest checks passed');
  process.exit(failed ? 1 : 0);
}
