import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../../src/common/ipc/contract';
import type { AppContext } from '../../../src/main/app/context';
import { createAppHost, type AppHost } from '../../../src/main/app/handlers';
import { dispatch } from '../../../src/main/ipc/dispatch';
import { CT_DIR, TEST_MODELS } from './helpers';

interface Emitted {
  event: EventName;
  payload: unknown;
}

describe('analysis IPC (validated dispatch over the real app host)', () => {
  let host: AppHost;
  const events: Emitted[] = [];
  let seriesId: string;

  const call = async (channel: string, payload?: unknown) => {
    const result = await dispatch(host.handlers, channel, payload);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value as Record<string, unknown> | null;
  };
  const finished = (jobId: string) =>
    new Promise<EventPayload<'analysis:finished'>>((resolve) => {
      const timer = setInterval(() => {
        const hit = events.find((e) => e.event === 'analysis:finished' && (e.payload as { jobId: string }).jobId === jobId);
        if (hit) {
          clearInterval(timer);
          resolve(hit.payload as EventPayload<'analysis:finished'>);
        }
      }, 10);
    });

  beforeAll(async () => {
    const ctx: AppContext = {
      version: '0.0.0-test',
      platform: {
        pickFolder: async () => null,
        pickSavePath: async () => null,
        printToPdf: async () => new Uint8Array(),
      },
      paths: { userData: mkdtempSync(join(tmpdir(), 'pleura-user-')), modelsDir: TEST_MODELS, samplePath: null },
      emit: (event, payload) => events.push({ event, payload }),
      instanceUrlBase: 'http://localhost',
      openSampleOnStart: false,
    };
    host = createAppHost(ctx);
    const opened = (await call('studies:open-path', { paths: [CT_DIR] })) as { studies: Array<{ series: Array<{ seriesId: string }> }> };
    seriesId = opened.studies[0]!.series[0]!.seriesId;
  });
  afterAll(async () => {
    await host.dispose();
  });

  // First call of a fresh host: the models load inside this job, which reports that stage too.
  it('start -> progress events -> finished; result and masks are kept for the series', async () => {
    expect(await call('analysis:get-result', { seriesId })).toBeNull();
    const { jobId } = (await call('analysis:start', { seriesId, streams: ['effusion', 'all'], device: 'auto' })) as { jobId: string };
    const done = await finished(jobId);
    expect(done).toEqual({ jobId, seriesId, status: 'done' });
    const progress = events.filter((e) => e.event === 'analysis:progress').map((e) => e.payload as EventPayload<'analysis:progress'>);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.jobId === jobId && p.seriesId === seriesId && p.done <= p.total)).toBe(true);
    expect(progress[0]!.stage).toBe('loading-models');

    const analysis = (await call('analysis:get-result', { seriesId })) as { result: { instances: unknown[] }; streams: string[]; viewerInstanceIds: Record<string, string> };
    expect(analysis.result.instances).toHaveLength(3);
    expect(analysis.streams).toEqual(['effusion', 'all']);

    const masks = (await call('analysis:get-masks', { seriesId, stream: 'effusion' })) as {
      rows: number;
      columns: number;
      slices: number;
      labels: Uint8Array;
      instanceIds: string[];
      sopInstanceUids: string[];
    };
    expect(masks.labels).toBeInstanceOf(Uint8Array);
    expect(masks.labels.length).toBe(masks.slices * masks.rows * masks.columns);
    expect(masks.slices).toBe(3);
    // Viewer ids (what studies:get-series hands the renderer), slice for slice.
    const detail = (await call('studies:get-series', { seriesId })) as { instances: Array<{ id: string }> };
    expect(masks.instanceIds).toEqual(detail.instances.map((i) => i.id));
    expect(await call('analysis:get-masks', { seriesId, stream: 'ggo' })).toBeNull();
  });

  it('reports the engine: models and the provider actually used', async () => {
    const info = (await call('analysis:get-engine-info')) as { available: boolean; models: Array<{ id: string }>; executionProvider: { used: string } };
    expect(info.available).toBe(true);
    expect(info.models).toHaveLength(6);
    expect(info.executionProvider.used).toBe('cpu');
  });

  it('re-runs the same series with other streams, replacing the result', async () => {
    const { jobId } = (await call('analysis:start', { seriesId, streams: ['ggo'], device: 'auto' })) as { jobId: string };
    expect((await finished(jobId)).status).toBe('done');
    expect(await call('analysis:get-masks', { seriesId, stream: 'ggo' })).not.toBeNull();
    expect(await call('analysis:get-masks', { seriesId, stream: 'effusion' })).toBeNull();
  });

  it('runs stages 1-2 only when no stream is selected, on the device asked for', async () => {
    const { jobId } = (await call('analysis:start', { seriesId, streams: [], device: 'cpu' })) as { jobId: string };
    expect((await finished(jobId)).status).toBe('done');
    const analysis = (await call('analysis:get-result', { seriesId })) as { options: { device: string }; executionProvider: { used: string }; streams: string[] };
    expect(analysis.options.device).toBe('cpu');
    expect(analysis.executionProvider.used).toBe('cpu');
    expect(analysis.streams).toEqual([]);
    const result = (await call('analysis:get-result', { seriesId })) as { result: { manifestations: unknown; streams: unknown[] } };
    expect(result.result.manifestations).not.toBeNull();
    expect(result.result.streams).toEqual([]);
  });

  it('rejects bad requests with clear errors', async () => {
    await expect(call('analysis:start', { seriesId: 'nope', streams: ['ggo'], device: 'cpu' })).rejects.toMatchObject({ code: 'unknown-series' });
    await expect(call('analysis:start', { seriesId, streams: ['lungs'], device: 'cpu' })).rejects.toMatchObject({ code: 'invalid-request' });
    expect(await call('analysis:cancel', { jobId: 'no-such-job' })).toEqual({ cancelled: false });
  });
});
