/**
 * `npm run bench:inference`: prints one JSON object with
 *  - per model: ms/slice at batch 1 and 8 (minimum over runs: the machine is shared, the
 *    minimum is the least disturbed; onnxruntime medians too) with onnxruntime-node (the engine's session
 *    options) and with PyTorch on the same weights (training checkpoints, int8-dequantised
 *    exactly as exported), in the same run, one after the other; their ratio; the model's
 *    FLOPs counted from the ONNX graph (Conv/ConvTranspose/Gemm/MatMul MACs x 2, batch 1)
 *    and the GFLOP/s achieved, against a matrix-multiply peak measured in the same run
 *    (onnxruntime MatMul, 2048 x 2048 fp32);
 *  - the whole pipeline on the bundled 64-slice sample through the real app host (decode +
 *    preprocess, stages 1-2, all four segmentation streams), extrapolated to 300 slices;
 *  - IPC round trips (a trivial handler through the validated dispatch every 20 ms) while
 *    the analysis runs, p50/p95/p99/max;
 *  - peak RSS of this process (worker included) and of the PyTorch process;
 *  - the load average, because this machine's 2 cores are shared.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { AppContext } from '../src/main/app/context';
import { createAppHost } from '../src/main/app/handlers';
import { dispatch } from '../src/main/ipc/dispatch';
import { ModelManifest } from '../src/main/services/engine/manifest';
import { sessionOptions } from '../src/main/services/engine/runtime/sessions';
import { dicomToDisplayU8, normalizeInto, prepareU8 } from '../src/main/services/engine/preprocess';
import { readDicomFrame } from '../src/main/services/pixels';

const REPO_ROOT = join(import.meta.dirname, '..');
const MODELS_DIR = process.env.PLEURA_MODELS_DIR ?? join(REPO_ROOT, 'resources/models');
const SAMPLE = join(REPO_ROOT, 'resources/sample/Lung_Dx-A0001');
const PYTHON = '/usr/bin/python3';
const MATMUL_N = 2048;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Python helper: FLOPs from the ONNX graphs, the MatMul peak model, and PyTorch timings. */
const PY_HELPER = String.raw`
import json, os, sys, time, resource
mode, models_dir, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
ids = ['recognition', 'manifestations', 'seg-ggo', 'seg-consolidation', 'seg-effusion', 'seg-all']
if mode == 'flops':
    import onnx
    from onnx import helper, TensorProto, shape_inference
    res = {}
    for mid in ids:
        m = onnx.load(os.path.join(models_dir, mid + '.onnx'))
        for vi in list(m.graph.input) + list(m.graph.output):
            d = vi.type.tensor_type.shape.dim
            if len(d) and not d[0].dim_value: d[0].dim_value = 1
        m = shape_inference.infer_shapes(m)
        shapes = {}
        for vi in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
            shapes[vi.name] = [x.dim_value for x in vi.type.tensor_type.shape.dim]
        for init in m.graph.initializer: shapes[init.name] = list(init.dims)
        macs = 0; unknown = 0
        for n in m.graph.node:
            try:
                if n.op_type in ('Conv', 'ConvTranspose'):
                    w = shapes[n.input[1]]; y = shapes[n.output[0]]; x = shapes[n.input[0]]
                    g = next((a.i for a in n.attribute if a.name == 'group'), 1)
                    k = 1
                    for v in w[2:]: k *= v
                    if n.op_type == 'Conv':
                        sp = 1
                        for v in y[2:]: sp *= v
                        macs += y[1] * sp * (w[1]) * k
                    else:
                        sp = 1
                        for v in x[2:]: sp *= v
                        macs += x[1] * sp * (w[1]) * k
                elif n.op_type == 'Gemm':
                    a = shapes[n.input[0]]; y = shapes[n.output[0]]
                    ta = next((a_.i for a_ in n.attribute if a_.name == 'transA'), 0)
                    kdim = a[0] if ta else a[1]
                    macs += y[0] * y[1] * kdim
                elif n.op_type == 'MatMul':
                    a = shapes[n.input[0]]; y = shapes[n.output[0]]
                    p = 1
                    for v in y: p *= v
                    macs += p * a[-1]
            except (KeyError, IndexError):
                unknown += 1
        res[mid] = {'flops': 2 * macs, 'uncountedNodes': unknown}
    a = helper.make_tensor_value_info('a', TensorProto.FLOAT, [${MATMUL_N}, ${MATMUL_N}])
    b = helper.make_tensor_value_info('b', TensorProto.FLOAT, [${MATMUL_N}, ${MATMUL_N}])
    c = helper.make_tensor_value_info('c', TensorProto.FLOAT, [${MATMUL_N}, ${MATMUL_N}])
    g = helper.make_graph([helper.make_node('MatMul', ['a', 'b'], ['c'])], 'matmul', [a, b], [c])
    mm = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]); mm.ir_version = 8
    onnx.save(mm, os.path.join(out_dir, 'matmul.onnx'))
    print(json.dumps(res))
else:
    out = {'threads': None, 'models': {}, 'peakRssMb': None, 'error': None}
    try:
        import torch
        sys.path.insert(0, os.path.join(os.path.dirname(models_dir), '..', 'training'))
        from pleura_train.evaluate import load, fake_quant_
        from pleura_train.models import WithActivation
        torch.set_num_threads(os.cpu_count()); out['threads'] = torch.get_num_threads()
        ckpt = os.path.join(os.path.dirname(models_dir), '..', 'training', 'checkpoints')
        kinds = {'recognition': 'recognition', 'manifestations': 'manifestations', 'seg-all': 'seg-all'}
        manifest = json.load(open(os.path.join(models_dir, 'manifest.json')))
        for mid in ids:
            name = next((n for n in (mid, mid + '-early') if os.path.exists(os.path.join(ckpt, n + '.pt'))), None)
            if name is None:
                out['models'][mid] = {'error': 'no checkpoint in training/checkpoints'}; continue
            net = fake_quant_(load(kinds.get(mid, 'seg'), name))
            wrap = WithActivation(net, kinds.get(mid, 'seg')).eval()
            inp = next(m['input'] for m in manifest['models'] if m['id'] == mid)  # the effusion stream runs at 512 px
            size, ch = inp['size'], inp['channels']
            row = {'checkpoint': name + '.pt'}
            with torch.inference_mode():
                for batch, reps in ((1, 6), (8, 3)):
                    torch.manual_seed(12345)
                    x = torch.rand(batch, ch, size, size) * 2 - 1
                    wrap(x); wrap(x)
                    times = []
                    for _ in range(reps):
                        t0 = time.perf_counter(); wrap(x); times.append((time.perf_counter() - t0) * 1000 / batch)
                    times.sort(); row['batch%d' % batch] = times[0]  # minimum, as for onnxruntime
            out['models'][mid] = row
    except Exception as e:
        out['error'] = '%s: %s' % (type(e).__name__, e)
    out['peakRssMb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
`;

function python(mode: 'flops' | 'torch', outDir: string): unknown {
  const run = spawnSync(PYTHON, ['-c', PY_HELPER, mode, MODELS_DIR, outDir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`python ${mode} failed: ${run.stderr || run.error?.message}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

/** ms per slice: the minimum over `reps` runs (least disturbed by other load on a shared machine) and the median. */
async function timeOrt(session: ort.InferenceSession, inputName: string, dims: number[], reps: number): Promise<{ min: number; median: number }> {
  const count = dims.reduce((a, b) => a * b, 1);
  // Uniform values in [-1, 1) like a normalised image (a constant input can push activations
  // into denormals and time something no real slice does); PyTorch gets the same distribution.
  let state = 12345;
  const data = new Float32Array(count).map(() => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  });
  const feeds = { [inputName]: new ort.Tensor('float32', data, dims) };
  await session.run(feeds);
  await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push((performance.now() - t0) / dims[0]!);
  }
  return { min: Math.min(...times), median: median(times) };
}

async function ortModels(flops: Record<string, { flops: number }>) {
  const manifest = ModelManifest.parse(JSON.parse(readFileSync(join(MODELS_DIR, 'manifest.json'), 'utf8')));
  const rows: Record<
    string,
    { version: string; weightStorage: string; onnxruntimeMsPerSlice: { batch1: number; batch8: number }; onnxruntimeMedianMsPerSlice: { batch1: number; batch8: number }; gflops: number }
  > = {};
  for (const model of manifest.models) {
    // Exactly the engine's session options.
    const session = await ort.InferenceSession.create(join(MODELS_DIR, model.file), sessionOptions({ ...model, path: join(MODELS_DIR, model.file) }, ['cpu'], 0));
    const { size, channels, name } = model.input;
    const batch1 = await timeOrt(session, name, [1, channels, size, size], 6);
    const batch8 = await timeOrt(session, name, [8, channels, size, size], 3);
    await session.release();
    rows[model.id] = {
      version: model.version,
      weightStorage: model.weightStorage,
      onnxruntimeMsPerSlice: { batch1: round(batch1.min), batch8: round(batch8.min) },
      onnxruntimeMedianMsPerSlice: { batch1: round(batch1.median), batch8: round(batch8.median) },
      gflops: round((flops[model.id]?.flops ?? 0) / 1e9, 3),
    };
  }
  return rows;
}

async function matmulPeak(path: string): Promise<number> {
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', extra: { session: { 'intra_op.allow_spinning': '0' } } });
  const data = new Float32Array(MATMUL_N * MATMUL_N).map((_, i) => ((i % 17) - 8) / 8);
  const feeds = { a: new ort.Tensor('float32', data, [MATMUL_N, MATMUL_N]), b: new ort.Tensor('float32', data, [MATMUL_N, MATMUL_N]) };
  await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t0);
  }
  await session.release();
  return (2 * MATMUL_N ** 3) / (Math.min(...times) / 1000) / 1e9;
}

/** Decode (JPEG-LS) and 256 px preprocessing of one sample slice, ms (minimum of 10). */
async function preprocessingCost() {
  const manifest = ModelManifest.parse(JSON.parse(readFileSync(join(MODELS_DIR, 'manifest.json'), 'utf8')));
  const path = join(SAMPLE, 'CT-chest-5mm', '1-32.dcm');
  const decode: number[] = [];
  const prepare: number[] = [];
  const tensor = new Float32Array(256 * 256);
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const { module, frame } = await readDicomFrame(path);
    const grey = dicomToDisplayU8(frame, module, manifest.preprocessing.ctWindow);
    const t1 = performance.now();
    normalizeInto(prepareU8(grey, frame.rows, frame.columns, 256, manifest.preprocessing), 1, 0.5, 0.5, tensor, 0);
    prepare.push(performance.now() - t1);
    decode.push(t1 - t0);
  }
  return { decodeMs: Math.min(...decode), prepare256Ms: Math.min(...prepare) };
}

async function pipelineWithIpc() {
  const events: Array<{ event: string; payload: unknown }> = [];
  const ctx: AppContext = {
    version: 'bench',
    platform: { pickFolder: async () => null, pickSavePath: async () => null, printToPdf: async () => new Uint8Array() },
    paths: { userData: mkdtempSync(join(tmpdir(), 'pleura-bench-')), modelsDir: MODELS_DIR, samplePath: null },
    emit: (event, payload) => events.push({ event, payload }),
    instanceUrlBase: 'http://localhost',
    openSampleOnStart: false,
  };
  const host = createAppHost(ctx);
  try {
    const call = async (channel: string, payload?: unknown) => {
      const result = await dispatch(host.handlers, channel, payload);
      if (!result.ok) throw new Error(`${channel}: ${result.error.message}`);
      return result.value as Record<string, unknown>;
    };
    const opened = (await call('studies:open-path', { paths: [SAMPLE] })) as { studies: Array<{ series: Array<{ seriesId: string; numberOfInstances: number }> }> };
    const series = opened.studies[0]!.series[0]!;
    const loadStarted = performance.now();
    const info = (await call('analysis:get-engine-info')) as { executionProvider: unknown };
    const modelLoadMs = performance.now() - loadStarted;

    const latencies: number[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { jobId } = (await call('analysis:start', { seriesId: series.seriesId, streams: ['ggo', 'consolidation', 'effusion', 'all'], device: 'auto' })) as { jobId: string };
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const t0 = performance.now();
        void dispatch(host.handlers, 'app:get-info', undefined).then(() => latencies.push(performance.now() - t0));
        const finished = events.find((e) => e.event === 'analysis:finished' && (e.payload as { jobId: string }).jobId === jobId);
        if (finished) {
          clearInterval(timer);
          const status = (finished.payload as { status: string; error?: string }).status;
          if (status === 'done') resolve();
          else reject(new Error(`analysis ${status}: ${(finished.payload as { error?: string }).error ?? ''}`));
        }
      }, 20);
    });
    const wallMs = performance.now() - started;
    // CPU time of this process (main thread + inference worker + onnxruntime threads):
    // what the work costs, much less sensitive than wall time to other load on the machine.
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const analysis = (await call('analysis:get-result', { seriesId: series.seriesId })) as { timingsMs: { decode: number; stage1: number; stage2: number; stage3: number; total: number } };
    const slices = series.numberOfInstances;
    const t = analysis.timingsMs;
    // Stage 1 looks at a fixed number of slices (up to 8); everything else scales with the slice count.
    const perSliceMs = (wallMs - t.stage1) / slices;
    return {
      pipeline: {
        series: 'resources/sample (Lung-PET-CT-Dx A0001, 64 slices, JPEG-LS)',
        slices,
        executionProvider: info.executionProvider,
        modelLoadMs: round(modelLoadMs),
        wallMs: round(wallMs),
        stageMs: { decodeAndPreprocess: round(t.decode), stage1: round(t.stage1), stage2: round(t.stage2), stage3: round(t.stage3) },
        perSliceMs: round(perSliceMs),
        extrapolated300SlicesS: round((t.stage1 + perSliceMs * 300) / 1000),
        cpuMs: round(cpuMs),
        cpuMsPerSlice: round(cpuMs / slices),
        // If this process had both cores to itself: CPU time / 2 (an estimate, not a measurement).
        projected300SlicesOnIdle2CoresS: round((cpuMs / slices) * 300 / 2 / 1000),
        targetS: 45,
      },
      ipcDuringAnalysis: {
        handler: 'app:get-info via dispatch (zod-validated both ways), every 20 ms',
        samples: latencies.length,
        p50Ms: round(percentile(latencies, 50), 2),
        p95Ms: round(percentile(latencies, 95), 2),
        p99Ms: round(percentile(latencies, 99), 2),
        maxMs: round(Math.max(...latencies), 2),
        targetP99Ms: 50,
      },
    };
  } finally {
    await host.dispose();
  }
}

async function main() {
  // The engine probes CUDA; onnxruntime's logger is process-wide, keep its expected failure quiet.
  ort.env.logLevel = 'fatal';
  const loadBefore = loadavg().map((v) => round(v, 2));
  const work = mkdtempSync(join(tmpdir(), 'pleura-bench-'));
  try {
    const flops = python('flops', work) as Record<string, { flops: number; uncountedNodes: number }>;
    const peakBefore = await matmulPeak(join(work, 'matmul.onnx'));
    const ortRows = await ortModels(flops);
    // Measured before and after the models (and after the pipeline below); the best is the
    // peak, because other load on a shared machine only ever lowers it.
    let peakGflops = Math.max(peakBefore, await matmulPeak(join(work, 'matmul.onnx')));
    const pipeline = await pipelineWithIpc();
    const prep = await preprocessingCost();
    peakGflops = Math.max(peakGflops, await matmulPeak(join(work, 'matmul.onnx')));
    const nodePeakRssMb = process.resourceUsage().maxRSS / 1024;
    // PyTorch last, alone, so neither runtime competes with the other for the cores.
    const torch = python('torch', work) as { threads: number | null; models: Record<string, { batch1?: number; batch8?: number; checkpoint?: string; error?: string }>; peakRssMb: number; error: string | null };
    const models = Object.fromEntries(
      Object.entries(ortRows).map(([id, row]) => {
        const pt = torch.models[id];
        const ptMs = pt && pt.batch1 !== undefined && pt.batch8 !== undefined ? { batch1: round(pt.batch1), batch8: round(pt.batch8) } : null;
        const best = Math.min(row.onnxruntimeMsPerSlice.batch1, row.onnxruntimeMsPerSlice.batch8); // already minima over runs
        const achieved = row.gflops / (best / 1000);
        return [
          id,
          {
            ...row,
            pytorchMsPerSlice: ptMs,
            pytorchNote: ptMs ? `same weights: training/checkpoints/${pt!.checkpoint} int8-dequantised` : (pt?.error ?? torch.error ?? 'not measured'),
            pytorchOverOnnxruntime: ptMs
              ? { batch1: round(ptMs.batch1 / row.onnxruntimeMsPerSlice.batch1, 2), batch8: round(ptMs.batch8 / row.onnxruntimeMsPerSlice.batch8, 2) }
              : null,
            achievedGflopsPerS: round(achieved, 1),
            fractionOfMatmulPeak: round(achieved / peakGflops, 3),
            uncountedNodes: flops[id]?.uncountedNodes ?? null,
          },
        ];
      }),
    );
    console.log(
      JSON.stringify(
        {
          machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadAverageBefore: loadBefore, loadAverageAfter: loadavg().map((v) => round(v, 2)) },
          onnxruntimeNode: ort.env.versions.node ?? 'unknown',
          pytorchThreads: torch.threads,
          matmulPeakGflopsPerS: round(peakGflops, 1),
          models,
          ...pipeline,
          designWins: {
            // Each figure = measured cost per slice (minimum) x the work avoided for a 300-slice series.
            stage1On8SlicesNot300SavesS: round(((300 - 8) * Math.min(ortRows.recognition!.onnxruntimeMsPerSlice.batch1, ortRows.recognition!.onnxruntimeMsPerSlice.batch8)) / 1000),
            // manifestations + three 256 px streams share one tensor (the effusion stream has its own 512 px one)
            preprocessOnceForFour256ModelsSavesS: round((3 * prep.prepare256Ms * 300) / 1000),
            perSliceDecodeMs: round(prep.decodeMs, 2),
            perSlicePreprocess256Ms: round(prep.prepare256Ms, 2),
          },
          peakRssMb: { node: round(nodePeakRssMb), pytorch: round(torch.peakRssMb) },
        },
        null,
        2,
      ),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
