import { describe, expect, it } from 'vitest';
import { APP_CONTENT_SECURITY_POLICY, allowNavigation, allowPermission, isAppUrl, mainWindowOptions, resolveAppFile } from '../../electron/security.js';

describe('Electron window security', () => {
  it('isolates the renderer: context isolation, sandbox, no Node', () => {
    const w = mainWindowOptions('/x/preload.cjs').webPreferences!;
    expect(w.contextIsolation).toBe(true);
    expect(w.sandbox).toBe(true);
    expect(w.nodeIntegration).toBe(false);
    expect(w.nodeIntegrationInWorker).toBe(false);
    expect(w.nodeIntegrationInSubFrames).toBe(false);
    expect(w.webSecurity).toBe(true);
    expect(w.allowRunningInsecureContent).toBe(false);
    expect(w.webviewTag).toBe(false);
    expect(w.preload).toBe('/x/preload.cjs');
  });

  it('has a strict CSP: own scripts only (eval for regl), no inline script, no remote connections', () => {
    expect(APP_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(APP_CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'unsafe-eval';");
    expect(APP_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline/);
    expect(APP_CONTENT_SECURITY_POLICY).toContain("connect-src 'self';");
  });

  it('recognises only app://semslam URLs as the app', () => {
    expect(isAppUrl('app://semslam/index.html')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('https://semslam/')).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(allowNavigation('https://example.com')).toBe(false);
    expect(allowNavigation('app://semslam/index.html')).toBe(true);
  });

  it('maps app:// URLs to files inside the renderer folder only', () => {
    expect(resolveAppFile('app://semslam/', '/r')).toEqual({ path: '/r/index.html', mime: 'text/html; charset=utf-8' });
    expect(resolveAppFile('app://semslam/app.js', '/r')?.path).toBe('/r/app.js');
    // Dot segments, encoded or not, never lead outside the folder.
    for (const url of ['app://semslam/%2e%2e/%2e%2e/etc/passwd.js', 'app://semslam/..%2f..%2fsecret.js', 'app://semslam/a/../../../b.js']) {
      const r = resolveAppFile(url, '/r');
      expect(r === null || r.path.startsWith('/r/')).toBe(true);
    }
    expect(resolveAppFile('app://semslam/data.sqlite', '/r')).toBeNull();
    expect(resolveAppFile('app://evil/app.js', '/r')).toBeNull();
  });
});

describe('Electron permissions', () => {
  it('grants the camera (video only) to our renderer and nothing else', () => {
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://semslam/index.html', mediaTypes: ['video'] })).toBe(true);
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://semslam', mediaTypes: [] })).toBe(true);
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://semslam/index.html', mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(allowPermission({ permission: 'media', requestingUrl: 'https://evil.example/', mediaTypes: ['video'] })).toBe(false);
    expect(allowPermission({ permission: 'media', requestingUrl: undefined, mediaTypes: ['video'] })).toBe(false);
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      expect(allowPermission({ permission, requestingUrl: 'app://semslam/index.html' })).toBe(false);
    }
  });
});
