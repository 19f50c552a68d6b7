/**
 * Electron main process: one window on app://semslam, the backend behind IPC, the menu.
 * Thin by design; the security settings live in security.ts, IPC in ipc.ts, the menu in menu.ts
 * (all tested without Electron). Started through the electron/main.js shim (tsx, like bin/semslam.js) by `npm start`, after
 * `node scripts/build-renderer.mjs --electron` built dist/renderer and the sandboxed preload.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell } from 'electron';
import type { OpenDialogOptions } from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AppBackend } from '../main/contract/backend.js';
import type { ExportFormat, SessionSummary } from '../main/contract/channels.js';
import { IPC_EVENT_CHANNEL } from '../main/contract/client.js';
import { electronSqliteBuild, SQLITE_BINDING_ENV } from '../main/store/sqliteBinding.js';
import { createBackend } from '../main/web/backendFactory.js';
import { registerIpc } from './ipc.js';
import { buildMenuTemplate } from './menu.js';
import { OPEN_FOLDER_DIALOG, OPEN_RECORDING_DIALOG } from './openDialogs.js';
import { allowNavigation, allowPermission, APP_CONTENT_SECURITY_POLICY, APP_INDEX_URL, APP_SCHEME, mainWindowOptions, resolveAppFile } from './security.js';

const here = dirname(fileURLToPath(import.meta.url));

// better-sqlite3 built for this Electron by scripts/electron-setup.mjs (the one in node_modules is Node's).
const electronSqlite = electronSqliteBuild(join(here, '..'), process.versions.electron).binding;
if (!process.env[SQLITE_BINDING_ENV] && existsSync(electronSqlite)) process.env[SQLITE_BINDING_ENV] = electronSqlite;
const RENDERER_DIR = join(here, '..', 'dist', 'renderer');
const PRELOAD = join(here, '..', 'dist', 'electron', 'preload.cjs');

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// No window may navigate away or open another one, whatever the renderer does.
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!allowNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

async function main(): Promise<void> {
  await app.whenReady();
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(request.url, RENDERER_DIR);
    if (!file) return new Response('not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file.path).toString());
    return new Response(res.body, { headers: { 'content-type': file.mime, 'content-security-policy': APP_CONTENT_SECURITY_POLICY } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(allowPermission({ permission, requestingUrl: details.requestingUrl, mediaTypes }));
  });
  // Checks (e.g. device labels in enumerateDevices) follow the same rule; video is all a check can be about here.
  session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    allowPermission({ permission, requestingUrl: requestingOrigin, mediaTypes: ['video'] }));

  const backend = await createBackend();
  const window = new BrowserWindow(mainWindowOptions(PRELOAD));
  const unregister = registerIpc(ipcMain, backend, window.webContents);
  window.once('ready-to-show', () => window.show());
  await window.loadURL(APP_INDEX_URL);

  const report = (message: string): void => void dialog.showMessageBox(window, { type: 'error', message });
  const refreshMenu = async (): Promise<void> => {
    const r = await backend.listSessions({}).catch(() => ({ sessions: [] as SessionSummary[] }));
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(menuActions(backend, window, report), r.sessions, process.platform === 'darwin')));
  };
  backend.onEvent((e) => {
    if (e.channel === 'sessions') void refreshMenu();
  });
  await refreshMenu();

  window.on('closed', () => {
    unregister();
    void backend.dispose();
  });
  app.on('window-all-closed', () => app.quit());
}

function menuActions(backend: AppBackend, window: BrowserWindow, report: (m: string) => void) {
  const run = (p: Promise<unknown>): void => void p.catch((e: unknown) => report(e instanceof Error ? e.message : String(e)));
  return {
    // The window replays what was picked, with its open dialog's camera and depth scale fields.
    openSequence: () => run(pickAndReplay(window, OPEN_FOLDER_DIALOG)),
    openRecording: () => run(pickAndReplay(window, OPEN_RECORDING_DIALOG)),
    runDemo: () => run(backend.startReplay({ source: 'demo', mode: 'rgbd', realtime: true })),
    // The camera is captured in the window (getUserMedia): the menu opens its panel there.
    startCamera: () => { if (!window.webContents.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, 'uiCommand', { command: 'openCamera' }); },
    openSession: (id: string) => run(backend.openSession({ id })),
    deleteSession: (id: string) => run((async () => {
      const r = await dialog.showMessageBox(window, { type: 'question', buttons: ['Delete', 'Cancel'], defaultId: 1, message: 'Delete this session and its map?' });
      if (r.response === 0) await backend.deleteSession({ id });
    })()),
    exportMap: (format: ExportFormat) => run((async () => {
      const r = await dialog.showSaveDialog(window, {
        title: format === 'mcap' ? 'Export map and trajectory as a ROS 2 bag (MCAP)' : `Export map as ${format.toUpperCase()}`,
        defaultPath: `semslam-map.${format}`,
      });
      if (!r.canceled && r.filePath) await backend.exportMap({ format, path: r.filePath });
    })()),
  };
}

async function pickAndReplay(window: BrowserWindow, options: OpenDialogOptions): Promise<void> {
  const r = await dialog.showOpenDialog(window, options);
  if (!r.canceled && r.filePaths[0] && !window.webContents.isDestroyed()) {
    window.webContents.send(IPC_EVENT_CHANNEL, 'uiCommand', { command: 'replay', source: r.filePaths[0] });
  }
}

main().catch((e: unknown) => {
  dialog.showErrorBox('semslam could not start', e instanceof Error ? e.message : String(e));
  app.exit(1);
});
