import { Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { EventPayload } from '../../common/ipc/contract';

type MenuCommand = EventPayload<'app:menu-command'>['command'];

export function installMenu(send: (command: MenuCommand) => void, getWindow: () => BrowserWindow | null): void {
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => send(command),
  });
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [item('Open Folder…', 'open-folder', 'CmdOrCtrl+O'), item('Open Sample Study', 'open-sample'), { type: 'separator' }, { role: 'quit' }],
    },
    { label: 'View', submenu: [item('Reset View', 'reset-view', 'R'), { role: 'togglefullscreen' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }] },
    { label: 'Analysis', submenu: [item('Analyze Series', 'analyze', 'A')] },
    {
      label: 'Help',
      submenu: [
        item('Keyboard Shortcuts', 'show-help', 'F1'),
        { label: 'Toggle Developer Tools', accelerator: 'CmdOrCtrl+Shift+I', click: () => getWindow()?.webContents.toggleDevTools() },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
