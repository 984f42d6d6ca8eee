import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A real Orthanc (Debian `orthanc` + `orthanc-dicomweb`) on a free loopback port, in a temp folder. */
export interface OrthancServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The DICOMweb root, http://127.0.0.1:PORT/dicom-web */
  dicomweb: string;
  /** Orthanc's own REST API, for setting up and checking tests. */
  rest<T = unknown>(pathname: string, init?: RequestInit): Promise<T>;
  /** Uploads DICOM files through the REST API (POST /instances). */
  upload(files: string[]): Promise<void>;
  stop(): Promise<void>;
}

export interface OrthancOptions {
  /** Require HTTP Basic auth with these users (name → password). */
  users?: Record<string, string>;
}

/** The DICOMweb plugin's path, from the Debian package's file list. */
function dicomwebPluginPath(): string {
  let files: string;
  try {
    files = execFileSync('dpkg', ['-L', 'orthanc-dicomweb'], { encoding: 'utf8' });
  } catch {
    throw new Error('orthanc-dicomweb is not installed (apt-get install orthanc orthanc-dicomweb)');
  }
  const so = files.split('\n').map((l) => l.trim()).filter((l) => /libOrthancDicomWeb\.so/.test(l));
  const plugin = so.find((l) => l.endsWith('.so')) ?? so[0];
  if (!plugin) throw new Error('orthanc-dicomweb lists no libOrthancDicomWeb.so');
  return plugin;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts Orthanc and waits until its REST API answers (30 s at most); always pair with stop(). */
export async function startOrthanc(options: OrthancOptions = {}): Promise<OrthancServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lunglens-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'LungLensTest',
    StorageDirectory: path.join(dir, 'db'),
    IndexDirectory: path.join(dir, 'db'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: !!options.users,
    RegisteredUsers: options.users ?? {},
    Plugins: [dicomwebPluginPath()],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Ssl: false, StudiesMetadata: 'Full', SeriesMetadata: 'Full' },
  };
  const configPath = path.join(dir, 'orthanc.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logPath = path.join(dir, 'orthanc.log');
  const child: ChildProcess = spawn('Orthanc', [`--logfile=${logPath}`, configPath], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const [name, password] = Object.entries(options.users ?? {})[0] ?? [];
  const authHeader: Record<string, string> = name ? { authorization: 'Basic ' + Buffer.from(`${name}:${password}`).toString('base64') } : {};
  let exited = false;
  // Never leave an Orthanc behind, even if the test runner exits without calling stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => {
    exited = true;
    process.removeListener('exit', killOnExit);
  });

  const stop = async () => {
    if (!exited) {
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      const log = safeRead(logPath);
      await stop();
      throw new Error(`Orthanc exited at start-up:\n${log.slice(-2000)}`);
    }
    try {
      const r = await fetch(`${url}/system`, { headers: authHeader });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('Orthanc did not answer within 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const rest = async <T,>(pathname: string, init: RequestInit = {}): Promise<T> => {
    const r = await fetch(url + pathname, { ...init, headers: { ...authHeader, ...(init.headers as Record<string, string>) } });
    if (!r.ok) throw new Error(`Orthanc ${init.method ?? 'GET'} ${pathname}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  return {
    url,
    dicomweb: `${url}/dicom-web`,
    rest,
    upload: async (files) => {
      for (const f of files) await rest('/instances', { method: 'POST', body: readFileSync(f), headers: { 'content-type': 'application/dicom' } });
    },
    stop,
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
