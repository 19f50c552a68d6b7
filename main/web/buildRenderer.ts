/**
 * Bundles the renderer (renderer/main.ts → app.js with index.html and style.css) with esbuild, and
 * optionally the Electron main and preload scripts. Used by `semslam serve`, the tests and
 * scripts/build-renderer.mjs; nothing built is committed.
 */
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_RENDERER_DIR = join(REPO_ROOT, 'dist', 'renderer');
export const DEFAULT_ELECTRON_DIR = join(REPO_ROOT, 'dist', 'electron');

export interface BuildRendererOptions {
  outDir: string;
  minify: boolean;
  sourcemap: boolean;
}

export const DEFAULT_BUILD_RENDERER_OPTIONS: BuildRendererOptions = { outDir: DEFAULT_RENDERER_DIR, minify: true, sourcemap: false };

export async function buildRenderer(options: Partial<BuildRendererOptions> = {}): Promise<{ outDir: string; bytes: number }> {
  const o = { ...DEFAULT_BUILD_RENDERER_OPTIONS, ...options };
  await mkdir(o.outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'renderer', 'main.ts')],
    outfile: join(o.outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: o.minify,
    sourcemap: o.sourcemap,
    metafile: true,
    logLevel: 'warning',
  });
  await copyFile(join(REPO_ROOT, 'renderer', 'index.html'), join(o.outDir, 'index.html'));
  await copyFile(join(REPO_ROOT, 'renderer', 'style.css'), join(o.outDir, 'style.css'));
  const bytes = Object.values(result.metafile.outputs).reduce((s, out) => s + out.bytes, 0);
  return { outDir: o.outDir, bytes };
}

/** The Electron preload, bundled to CommonJS: a sandboxed preload can be neither TypeScript nor an ES module. */
export async function buildElectronPreload(outDir = DEFAULT_ELECTRON_DIR): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(REPO_ROOT, 'electron', 'preload.ts')],
    outfile: join(outDir, 'preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron'],
    logLevel: 'warning',
  });
}
