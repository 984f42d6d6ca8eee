import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrthanc, freePort, type OrthancServer } from '../../../e2e/support/orthanc.ts';
import { startServer } from '../../../tools/serve/serve.mjs';
import { writeCxrMeasurementReport } from '../dicomExport/cxrMeasurementReport.ts';
import { readSourceInstance, sourceSeriesOf } from '../dicomExport/sourceImages.ts';
import { ctSeriesDir, radiographFile } from '../dicomExport/testing/realCtSeries.ts';
import { ensureXmlHttpRequest } from './fetchXmlHttpRequest.ts';
import { PacsClient } from './pacsClient.ts';
import { PacsError } from './pacsError.ts';

ensureXmlHttpRequest();

const seriesDir = ctSeriesDir('lung-pet-ct-dx-a0002');
const seriesFiles = readdirSync(seriesDir).filter((f) => f.endsWith('.dcm')).map((f) => path.join(seriesDir, f));
const sha = (b: ArrayBuffer | Uint8Array) => createHash('sha256').update(new Uint8Array(b instanceof ArrayBuffer ? b : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))).digest('hex');
const ct = readSourceInstance(new Uint8Array(readFileSync(seriesFiles[0])));

let orthanc: OrthancServer;
let root: string;
const servers: Server[] = [];

/** serve.mjs on a free port, relaying /dicom-web to `dicomweb` (or to nothing). */
async function serve(dicomweb?: string, dicomwebTimeoutMs?: number): Promise<string> {
  const { server, url } = await startServer({ port: 0, host: '127.0.0.1', root, dicomweb: dicomweb ? new URL(dicomweb) : undefined, dicomwebTimeoutMs });
  servers.push(server);
  return url + 'dicom-web';
}

/** A stand-in PACS for faults Orthanc will not produce on demand. */
async function fakePacs(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/dicom-web`;
}

async function failure(p: Promise<unknown>): Promise<PacsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PacsError) return e;
    throw e;
  }
  throw new Error('expected a PacsError');
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'lunglens-pacs-'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
  orthanc = await startOrthanc();
  await orthanc.upload(seriesFiles);
}, 60_000);

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await orthanc?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('PacsClient against a real Orthanc through serve.mjs --dicomweb', () => {
  it('searches by patient name, ID, date and modality, and retrieves the series byte for byte with progress', async () => {
    const pacs = new PacsClient({ url: await serve(orthanc.dicomweb) });
    const name = ct.study.patientName;
    const part = name.slice(2, 7);
    const byName = await pacs.searchStudies({ patientName: part });
    expect(byName.map((s) => s.studyInstanceUID)).toEqual([ct.study.studyInstanceUID]);
    expect(byName[0]).toMatchObject({ patientID: ct.study.patientID, studyDate: ct.study.studyDate, modalities: ['CT'] });
    expect(await pacs.searchStudies({ patientID: ct.study.patientID, modality: 'CT', studyDate: ct.study.studyDate })).toHaveLength(1);
    expect(await pacs.searchStudies({ patientID: 'nobody-has-this-id' })).toEqual([]);
    expect(await pacs.searchStudies({ modality: 'MR' })).toEqual([]);

    const progress: number[] = [];
    const { files, skipped } = await pacs.retrieveStudy(ct.study.studyInstanceUID, (p) => progress.push(p.done));
    expect(skipped).toEqual([]);
    expect(files).toHaveLength(seriesFiles.length);
    expect(progress.at(-1)).toBe(seriesFiles.length);
    expect(new Set(files.map((f) => sha(f.bytes)))).toEqual(new Set(seriesFiles.map((f) => sha(readFileSync(f)))));
  });

  it('stores results by STOW-RS; they are then listed as non-image series and skipped when opening', async () => {
    const pacs = new PacsClient({ url: await serve(orthanc.dicomweb) });
    const source = sourceSeriesOf([readSourceInstance(new Uint8Array(readFileSync(seriesFiles[0])))]);
    const sr = writeCxrMeasurementReport({
      series: source,
      classification: { model: { modelId: 'm', version: '1' }, probabilities: { normal: 1 } },
      detections: [],
      producer: { softwareVersion: 'test' },
    });
    const result = await pacs.store([sr.bytes]);
    expect(result.stored).toEqual([sr.sopInstanceUID]);
    const series = await pacs.listSeries(ct.study.studyInstanceUID);
    expect(series.find((s) => s.seriesInstanceUID === sr.seriesInstanceUID)).toMatchObject({ modality: 'SR', isImage: false });
    const { files, skipped } = await pacs.retrieveStudy(ct.study.studyInstanceUID);
    expect(files).toHaveLength(seriesFiles.length);
    expect(skipped.map((s) => s.modality)).toEqual(['SR']);
  });

  it('a study with only non-image series says so', async () => {
    const radiograph = sourceSeriesOf([readSourceInstance(new Uint8Array(readFileSync(radiographFile)))]);
    const sr = writeCxrMeasurementReport({ series: radiograph, classification: { model: { modelId: 'm', version: '1' }, probabilities: { normal: 1 } }, detections: [], producer: { softwareVersion: 't' } });
    const pacs = new PacsClient({ url: await serve(orthanc.dicomweb) });
    await pacs.store([sr.bytes]);
    const e = await failure(pacs.retrieveStudy(radiograph.study.studyInstanceUID));
    expect(e.code).toBe('no-image-series');
    expect(e.message).toMatch(/no image series to analyse \(only SR\)/);
  });

  it('a STOW the PACS rejects is reported, not swallowed', async () => {
    const pacs = new PacsClient({ url: await serve(orthanc.dicomweb) });
    const e = await failure(pacs.store([new TextEncoder().encode('not a DICOM file at all')]));
    expect(e.code).toBe('store-rejected');
    expect(e.message).toMatch(/rejected/);
  });
});

describe('PacsClient against an Orthanc that requires a login', () => {
  it('401 without credentials; serve.mjs with user:password in --dicomweb gets in', async () => {
    const guarded = await startOrthanc({ users: { lung: 'lens' } });
    try {
      const e = await failure(new PacsClient({ url: await serve(guarded.dicomweb) }).searchStudies({}));
      expect(e.code).toBe('unauthorized');
      expect(e.message).toMatch(/asks for credentials \(401\)/);
      const withLogin = guarded.dicomweb.replace('http://', 'http://lung:lens@');
      expect(await new PacsClient({ url: await serve(withLogin) }).searchStudies({})).toEqual([]);
    } finally {
      await guarded.stop();
    }
  });
});

describe('PacsClient faults get a named reason', () => {
  it('no PACS configured (serve.mjs without --dicomweb)', async () => {
    const e = await failure(new PacsClient({ url: await serve() }).searchStudies({}));
    expect([e.code, e.message]).toEqual(['no-pacs', expect.stringMatching(/start the server with --dicomweb/)]);
  });

  it('PACS unreachable (nothing listening)', async () => {
    const e = await failure(new PacsClient({ url: await serve(`http://127.0.0.1:${await freePort()}/dicom-web`) }).searchStudies({}));
    expect([e.code, e.message]).toEqual(['unreachable', expect.stringMatching(/PACS unreachable \(ECONNREFUSED\)/)]);
    const direct = await failure(new PacsClient({ url: `http://127.0.0.1:${await freePort()}/dicom-web` }).searchStudies({}));
    expect(direct.code).toBe('unreachable');
  });

  it('PACS slow: the relay gives up (504) and so does the client on its own', async () => {
    const silent = await fakePacs(() => { /* never answers */ });
    const viaRelay = await failure(new PacsClient({ url: await serve(silent, 800) }).searchStudies({}));
    expect([viaRelay.code, viaRelay.message]).toEqual(['timeout', expect.stringMatching(/did not answer within 1 s/)]);
    const direct = await failure(new PacsClient({ url: silent, timeoutMs: 800 }).searchStudies({}));
    expect(direct.code).toBe('timeout');
  });

  it('401 and 403', async () => {
    const guarded = await fakePacs((req, res) => {
      res.writeHead(req.headers.authorization === 'Basic ' + Buffer.from('lung:lens').toString('base64') ? 403 : 401, { 'content-type': 'text/plain' });
      res.end('no');
    });
    expect((await failure(new PacsClient({ url: await serve(guarded) }).searchStudies({}))).code).toBe('unauthorized');
    const withUser = guarded.replace('http://', 'http://lung:lens@');
    expect((await failure(new PacsClient({ url: await serve(withUser) }).searchStudies({}))).code).toBe('forbidden');
  });

  it('a retrieval cut off half-way fails as a whole, saying how far it got', async () => {
    const real = readFileSync(seriesFiles[0]);
    let served = 0;
    const flaky = await fakePacs((req, res) => {
      if (req.url?.includes('/instances') && !/instances\/[\d.]+/.test(req.url)) {
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        res.end(JSON.stringify([1, 2, 3].map((i) => ({ '00080018': { vr: 'UI', Value: [`1.2.3.${i}`] } }))));
        return;
      }
      served++;
      const boundary = 'b0';
      const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), real, Buffer.from(`\r\n--${boundary}--`)]);
      res.writeHead(200, { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, 'content-length': String(body.length) });
      if (served >= 2) {
        res.write(body.subarray(0, 1000));
        setTimeout(() => res.destroy(), 50); // the PACS dies mid-transfer
      } else {
        res.end(body);
      }
    });
    const e = await failure(new PacsClient({ url: await serve(flaky), concurrency: 1 }).retrieveSeries('1.2', '1.2.3'));
    expect(e.code).toBe('cut-off');
    expect(e.message).toMatch(/cut off after 1 of 3 images/);
  });
});
