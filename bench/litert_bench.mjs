// Single-thread latency of LiteRT (@litertjs/core, XNNPACK on WebAssembly SIMD) in Node, for
// run_model_bench.sh. Runs from a directory holding node_modules/@litertjs/core and the oracle's
// litert_load.mjs (Node shim); the script sets that up.
//   node litert_bench.mjs MODEL.tflite [--runs N] [--fill V] [--threads T]
// Prints "LITERT name=... median_ms=... min_ms=... runs=N". Output tensors are not read (the JS
// wrapper rejects INT64 tensors), only freed.
import core, {init} from './litert_load.mjs';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = {runs: 20, fill: 128, threads: 1};
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i].startsWith('--')) opt[args[i].slice(2)] = Number(args[++i]);
  else files.push(args[i]);
}
await init();
for (const file of files) {
  const model = await core.loadAndCompile(new Uint8Array(fs.readFileSync(file)),
      {accelerator: 'wasm', cpuOptions: {numThreads: opt.threads}});
  const Ctor = {uint8: Uint8Array, int8: Int8Array, float32: Float32Array, int32: Int32Array};
  const inputs = model.getInputDetails().map((d) => {
    const n = Array.from(d.shape).reduce((a, b) => a * b, 1);
    return new core.Tensor(new Ctor[d.dtype](n).fill(opt.fill), Array.from(d.shape));
  });
  const once = async () => (await model.run(inputs)).forEach((t) => t.delete());
  for (let w = 0; w < 3; w++) await once();
  const ms = [];
  for (let r = 0; r < opt.runs; r++) {
    const t0 = process.hrtime.bigint();
    await once();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  console.log(`LITERT name=${path.basename(file)} median_ms=${ms[ms.length >> 1].toFixed(3)} ` +
              `min_ms=${ms[0].toFixed(3)} runs=${opt.runs}`);
}
