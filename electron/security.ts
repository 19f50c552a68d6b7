/**
 * The Electron shell's security settings as pure functions, so tests check the real values without
 * the Electron runtime: BrowserWindow options, the app:// protocol's URL → file mapping, the CSP, and
 * the navigation / sender checks.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { join, normalize, sep } from 'node:path';

/** The renderer is served from app://semslam/ instead of file:// (no ambient file access, a real origin). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'semslam';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  // regl compiles its draw commands with new Function(): the one relaxation; no inline script, no remote code.
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'semslam',
    backgroundColor: '#15171b',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** true for URLs of our own renderer (app://semslam/...). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
};

/**
 * Maps an app:// URL to a file under rendererDir, or null for anything outside it (other hosts,
 * `..` tricks, unknown file types).
 */
export function resolveAppFile(url: string, rendererDir: string): { path: string; mime: string } | null {
  if (!isAppUrl(url)) return null;
  const u = new URL(url);
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  if (rel.includes('\0')) return null;
  const root = normalize(rendererDir + sep);
  const path = normalize(join(rendererDir, rel));
  if (!path.startsWith(root)) return null;
  const dot = path.lastIndexOf('.');
  const mime = dot >= 0 ? MIME[path.slice(dot)] : undefined;
  return mime ? { path, mime } : null;
}

/** Navigation away from the app and new windows are refused; links to the web are not opened here. */
export function allowNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** What a permission request tells us (a subset of Electron's details, so tests need no Electron). */
export interface PermissionQuery {
  readonly permission: string;
  /** The URL of the frame asking. */
  readonly requestingUrl: string | undefined;
  /** For 'media': the kinds asked for ('video', 'audio'). */
  readonly mediaTypes?: readonly string[];
}

/**
 * The one permission the app grants: the camera ('media', video only) to our own renderer, for live mapping.
 * Everything else (microphone, notifications, geolocation, other origins) is refused.
 */
export function allowPermission(q: PermissionQuery): boolean {
  if (q.permission !== 'media' || !isAppUrl(q.requestingUrl)) return false;
  const types = q.mediaTypes ?? [];
  return types.every((t) => t === 'video');
}
