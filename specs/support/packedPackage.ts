import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** The repository root. */
export const repoRoot = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };

/**
 * What the consumer projects install besides the tarball, at the versions this repository runs
 * (read from node_modules, so npm finds them in its cache). `ws` and `@types/ws` are left out on
 * purpose: they are optional, and the specs prove the package works and type-checks without them.
 */
const CONSUMER_DEPENDENCIES = ['@langchain/core', '@langchain/openai', 'rxjs', 'typescript', '@types/node'];

/** Inputs of the tarball: any change to them packs again. */
const PACK_INPUTS = ['src', 'bin', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md'];

export interface InstalledPackage {
  /** The tarball `npm pack` wrote (its `prepack` builds first). */
  readonly tarball: string;
  /** Paths inside the tarball, without the leading `package/`. */
  readonly files: readonly string[];
  /** A directory whose node_modules holds the installed tarball and CONSUMER_DEPENDENCIES. */
  readonly root: string;
  /** Seconds `npm pack` and `npm install` took (0 when an earlier spec already did them). */
  readonly packSeconds: number;
  readonly installSeconds: number;
}

/**
 * Packs the package with `npm pack` and installs the tarball into a temporary project, once per
 * content of PACK_INPUTS: spec files run in parallel workers, so the first one packs and installs
 * under a lock and the others wait for it and reuse the result (later runs too, until an input
 * changes). Consumer specs make their own subdirectories of `root`; Node and TypeScript find the
 * packages in `root/node_modules` by walking up.
 */
export function installedPackage(): InstalledPackage {
  const base = join(tmpdir(), 'rxjs-langchain-specs', hash([repoRoot]).slice(0, 12));
  const key = contentHash();
  const dir = join(base, key);
  const ready = join(dir, 'ready.json');
  mkdirSync(base, { recursive: true });
  const lock = join(base, `${key}.lock`);
  for (;;) {
    if (existsSync(ready)) return JSON.parse(readFileSync(ready, 'utf8')) as InstalledPackage;
    try {
      mkdirSync(lock);
    } catch {
      if (lockHolderGone(lock)) rmSync(lock, { recursive: true, force: true });
      else sleepSync(250);
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      if (existsSync(ready)) continue;
      pruneOthers(base, key);
      const result = packAndInstall(dir);
      writeFileSync(ready, JSON.stringify(result));
      return result;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function packAndInstall(dir: string): InstalledPackage {
  rmSync(dir, { recursive: true, force: true });
  const packDir = join(dir, 'pack');
  const root = join(dir, 'consumers');
  mkdirSync(packDir, { recursive: true });
  mkdirSync(root, { recursive: true });

  let started = performance.now();
  run('npm', ['pack', '--pack-destination', packDir], repoRoot);
  const packSeconds = (performance.now() - started) / 1000;
  const tarball = join(packDir, `${pkg.name}-${pkg.version}.tgz`);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));

  const dependencies: Record<string, string> = { [pkg.name]: `file:${tarball}` };
  for (const name of CONSUMER_DEPENDENCIES) dependencies[name] = installedVersion(name);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'consumers', private: true, dependencies }, null, 2));
  started = performance.now();
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts'], root);
  const installSeconds = (performance.now() - started) / 1000;
  return { tarball, files, root, packSeconds, installSeconds };
}

/** The version of `name` in this repository's node_modules. */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The environment for an npm command: without the lifecycle variables of an outer `npm test`. */
export function npmEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(lifecycle|package|config_(?!cache$|registry$|userconfig$))/i.test(k)),
  );
  return { ...env, npm_config_update_notifier: 'false' };
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, env: npmEnv(), encoding: 'utf8', stdio: 'pipe', timeout: 300_000 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

function contentHash(): string {
  const files: string[] = [];
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
    else files.push(path);
  };
  for (const input of PACK_INPUTS) visit(join(repoRoot, input));
  return hash(files.flatMap((f) => [relative(repoRoot, f), readFileSync(f, 'utf8')])).slice(0, 16);
}

function hash(parts: string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex');
}

function lockHolderGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Just created, pid not written yet; or stale without a pid: give it a minute.
    try {
      return Date.now() - statSync(lock).mtimeMs > 60_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Removes installs of older contents of this repository: never one being made (locked), nor one
 * made in the last 10 minutes (another run of this repository may still use it).
 */
function pruneOthers(base: string, keep: string): void {
  for (const name of readdirSync(base)) {
    if (name === keep || name.endsWith('.lock') || existsSync(join(base, `${name}.lock`))) continue;
    const ready = join(base, name, 'ready.json');
    if (existsSync(ready) && Date.now() - statSync(ready).mtimeMs < 10 * 60_000) continue;
    rmSync(join(base, name), { recursive: true, force: true });
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
