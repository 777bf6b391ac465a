import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext, PlatformPort } from '../../../src/main/app/context';
import { createStudiesHandlers } from '../../../src/main/app/handlers/studies';
import { dispatch, type DispatchResult, type EventSink, type InvokeHandlers } from '../../../src/main/ipc/dispatch';
import { createStudiesService } from '../../../src/main/services/ingest';
import type { EventName } from '../../../src/common/ipc/contract';
import { FIXTURES } from './helpers';

let userData: string;
let events: Array<{ event: EventName; payload: unknown }>;
let pickedFolder: string | null;

function context(samplePath: string | null): AppContext {
  const platform: PlatformPort = {
    pickFolder: async () => pickedFolder,
    pickSavePath: async () => null,
    printToPdf: async () => new Uint8Array(),
  };
  const emit: EventSink = (event, payload) => void events.push({ event, payload });
  return {
    version: '0.0.0-test',
    platform,
    paths: { userData, modelsDir: join(userData, 'models'), samplePath },
    emit,
    instanceUrlBase: 'http://127.0.0.1:1',
    openSampleOnStart: false,
  };
}

function studiesCall(samplePath: string | null) {
  const ctx = context(samplePath);
  const studies = createStudiesService({ recentsFile: join(userData, 'recent-studies.json') });
  // Only the studies channels exist here; dispatch validates requests and responses against the contract.
  const handlers = createStudiesHandlers(ctx, { studies }) as unknown as InvokeHandlers;
  return (channel: string, payload: unknown): Promise<DispatchResult> => dispatch(handlers, channel, payload);
}

function value(result: DispatchResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as Record<string, unknown>;
}

beforeEach(async () => {
  userData = await mkdtemp(join(tmpdir(), 'pleura-ipc-'));
  events = [];
  pickedFolder = null;
});
afterEach(async () => {
  await rm(userData, { recursive: true, force: true });
});

describe('studies IPC channels', () => {
  it('opens dropped paths, emits progress and answers a contract-valid tree', async () => {
    const call = studiesCall(null);
    const result = value(await call('studies:open-path', { paths: [join(FIXTURES, 'series'), join(FIXTURES, 'broken')] }));
    const studies = result['studies'] as Array<{ series: Array<{ seriesId: string; instances: Array<{ id: string }> }> }>;
    expect(studies[0]?.series.map((series) => series.seriesId.endsWith('#2'))).toEqual([false, false, false, true]);
    expect((result['skipped'] as unknown[]).length).toBe(7);
    const progress = events.filter((entry) => entry.event === 'studies:scan-progress');
    expect(progress.at(-1)?.payload).toMatchObject({ phase: 'done', filesScanned: 23, filesTotal: 23 });

    const seriesId = studies[0]?.series[0]?.seriesId ?? '';
    const detail = value(await call('studies:get-series', { seriesId }));
    expect((detail['instances'] as unknown[]).length).toBe(5);
    expect(detail['studyInstanceUid']).toBeTypeOf('string');
  });

  it('returns {cancelled: true} when the folder dialog is cancelled, the tree otherwise', async () => {
    const call = studiesCall(null);
    expect(value(await call('studies:open-folder', undefined))).toEqual({ cancelled: true });
    pickedFolder = join(FIXTURES, 'radiograph');
    const opened = value(await call('studies:open-folder', undefined));
    expect(opened['cancelled']).toBe(false);
    expect((opened['studies'] as unknown[]).length).toBe(1);
    const recent = value(await call('studies:list-recent', undefined)) as unknown as Array<{ paths: string[] }>;
    expect(recent.map((entry) => entry.paths)).toEqual([[pickedFolder]]);
  });

  it('opens the sample without adding it to the recent list, and says when it is missing', async () => {
    const withSample = studiesCall(join(FIXTURES, 'series/shuffled'));
    const sample = value(await withSample('studies:open-sample', undefined));
    expect((sample['studies'] as unknown[]).length).toBe(1);
    expect(value(await withSample('studies:list-recent', undefined))).toEqual([]);

    const withoutSample = studiesCall(null);
    expect(await withoutSample('studies:open-sample', undefined)).toMatchObject({ ok: false, error: { code: 'no-sample' } });
  });

  it('opens the bundled sample as one 64-slice CT volume with nothing skipped', async () => {
    const call = studiesCall(join(import.meta.dirname, '../../../resources/sample'));
    const sample = value(await call('studies:open-sample', undefined));
    const studies = sample['studies'] as Array<{ patientId: string; series: Array<Record<string, unknown>> }>;
    expect(studies.map((study) => study.patientId)).toEqual(['Lung_Dx-A0001']);
    expect(studies[0]?.series).toHaveLength(1);
    expect(studies[0]?.series[0]).toMatchObject({ modality: 'CT', kind: 'volume', numberOfInstances: 64, rows: 512, columns: 512, spacingBetweenSlices: 5, warnings: [] });
    expect(sample['skipped']).toEqual([]);
  });

  it('rejects unknown series ids and malformed requests with readable errors', async () => {
    const call = studiesCall(null);
    expect(await call('studies:get-series', { seriesId: 'not-open' })).toMatchObject({ ok: false, error: { code: 'unknown-series' } });
    expect(await call('studies:open-path', { paths: [] })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await call('studies:open-path', { paths: 'C:/' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});
