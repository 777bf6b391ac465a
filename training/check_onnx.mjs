// Runs every parity case of tests/fixtures/parity/index.json through onnxruntime-node and
// prints the max abs difference to the PyTorch outputs. Usage: node training/check_onnx.mjs [tolerance] [report.json]
// Sessions use the option the engine should use for int8-QDQ weights: session.disable_quant_qdq = '1'
// (weights are dequantised once at load; float compute). Set PLEURA_QDQ_DEFAULT=1 to check default options.
import * as ort from 'onnxruntime-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const fix = join(repo, 'tests/fixtures/parity');
const idx = JSON.parse(readFileSync(join(fix, 'index.json'), 'utf8'));
const tol = Number(process.argv[2] ?? 1e-3);
const f32 = (p) => { const b = readFileSync(p); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const sessions = {};
let worst = 0; const report = [];
for (const c of idx.cases) {
  const opts = process.env.PLEURA_QDQ_DEFAULT ? {} : { extra: { session: { disable_quant_qdq: '1' } } };
  sessions[c.modelFile] ??= await ort.InferenceSession.create(join(repo, c.modelFile), opts);
  const s = sessions[c.modelFile];
  const x = new ort.Tensor('float32', Float32Array.from(f32(join(fix, c.tensor))), c.shape);
  const t0 = performance.now();
  const out = await s.run({ input: x });
  const ms = performance.now() - t0;
  for (const o of c.outputs) {
    const ref = f32(join(fix, o.file)); const got = out[o.name].data;
    if (got.length !== ref.length) throw new Error(`${c.model} ${o.name}: length ${got.length} != ${ref.length}`);
    let d = 0; for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(got[i] - ref[i]));
    worst = Math.max(worst, d);
    report.push({ model: c.model, input: c.input, output: o.name, shape: o.shape, maxAbsDiff: d, ms: Math.round(ms) });
    console.log(`${c.model.padEnd(18)} ${c.input.padEnd(10)} ${o.name.padEnd(6)} maxAbsDiff=${d.toExponential(2)} (${Math.round(ms)} ms)`);
  }
}
if (process.argv[3]) writeFileSync(process.argv[3], JSON.stringify({ runtime: `onnxruntime-node ${ort.env.versions?.node ?? ''}`, sessionOptions: process.env.PLEURA_QDQ_DEFAULT ? 'default' : { extra: { session: { disable_quant_qdq: '1' } } }, tolerance: tol, worst, report }, null, 1));
console.log(worst <= tol ? `PASS worst=${worst.toExponential(2)} <= ${tol}` : `FAIL worst=${worst.toExponential(2)} > ${tol}`);
process.exit(worst <= tol ? 0 : 1);
