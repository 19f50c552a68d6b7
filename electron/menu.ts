/** The application menu as data (testable without Electron): items call the actions they are given. */
import type { MenuItemConstructorOptions } from 'electron';
import type { ExportFormat, SessionSummary } from '../main/contract/channels.js';

export interface MenuActions {
  /** A sequence folder. */
  openSequence(): void;
  /** A single-file recording: ROS 2 bag (.mcap) or .klg log. */
  openRecording(): void;
  runDemo(): void;
  startCamera(): void;
  openSession(id: string): void;
  deleteSession(id: string): void;
  exportMap(format: ExportFormat): void;
}

export function buildMenuTemplate(actions: MenuActions, sessions: readonly SessionSummary[], isMac: boolean): MenuItemConstructorOptions[] {
  const sessionItems: MenuItemConstructorOptions[] = sessions.length === 0
    ? [{ label: 'No saved sessions', enabled: false }]
    : [
        ...sessions.map((s) => ({ label: `Open “${s.name}”`, click: () => actions.openSession(s.id) })),
        { type: 'separator' as const },
        { label: 'Delete', submenu: sessions.map((s) => ({ label: s.name, click: () => actions.deleteSession(s.id) })) },
      ];
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open sequence folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.openSequence() },
        { label: 'Open recording (ROS 2 bag .mcap, .klg)…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.openRecording() },
        { label: 'Run demo scene', accelerator: 'CmdOrCtrl+D', click: () => actions.runDemo() },
        { label: 'Start camera', click: () => actions.startCamera() },
        { type: 'separator' },
        { label: 'Export map as PLY…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportMap('ply') },
        { label: 'Export map as PCD…', click: () => actions.exportMap('pcd') },
        { label: 'Export map and trajectory as MCAP (ROS 2 bag)…', click: () => actions.exportMap('mcap') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { label: 'Sessions', submenu: sessionItems },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
  ];
}
