import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate } from '../../electron/menu.js';

describe('application menu', () => {
  it('has the file actions and lists sessions, each wired to its action', () => {
    const calls: string[] = [];
    const actions = {
      openSequence: () => calls.push('open'),
      openRecording: () => calls.push('recording'),
      runDemo: () => calls.push('demo'),
      startCamera: () => calls.push('camera'),
      openSession: (id: string) => calls.push(`session:${id}`),
      deleteSession: (id: string) => calls.push(`delete:${id}`),
      exportMap: (f: string) => calls.push(`export:${f}`),
    };
    const t = buildMenuTemplate(actions, [{ id: 's1', name: 'Kitchen', createdAt: '', source: 'demo', mode: 'rgbd', frames: 1, surfels: 2 }], false);
    const items = (label: string): MenuItemConstructorOptions[] => t.find((m) => m.label === label)!.submenu as MenuItemConstructorOptions[];
    const click = (item: MenuItemConstructorOptions | undefined): void => (item!.click as () => void)();
    click(items('File').find((i) => i.label === 'Open sequence folder…'));
    click(items('File').find((i) => i.label?.startsWith('Open recording') && i.label.includes('.mcap') && i.label.includes('.klg')));
    click(items('File').find((i) => i.label === 'Run demo scene'));
    click(items('File').find((i) => i.label === 'Start camera'));
    click(items('File').find((i) => i.label?.includes('PCD')));
    click(items('File').find((i) => i.label?.includes('MCAP')));
    click(items('Sessions').find((i) => i.label === 'Open “Kitchen”'));
    click((items('Sessions').find((i) => i.label === 'Delete')!.submenu as MenuItemConstructorOptions[])[0]);
    expect(calls).toEqual(['open', 'recording', 'demo', 'camera', 'export:pcd', 'export:mcap', 'session:s1', 'delete:s1']);
  });
});
