/**
 * File › Open's two dialogs as data (testable without Electron). Linux and Windows cannot pick a file or a folder
 * in one dialog (Electron shows a folder picker when both are asked), so folders (TUM, 7-Scenes, NYU raw,
 * Redwood, ICL-NUIM, rosbag2 bag folders) and single-file recordings (ROS 2 bags in MCAP, ElasticFusion /
 * Kintinuous .klg logs) each have their own menu item and dialog. Either path goes to the same reader detection
 * (main/sources/open.ts), so a file picked through "All files" is still judged by its content.
 */
import type { OpenDialogOptions } from 'electron';

export const RECORDING_EXTENSIONS = ['mcap', 'klg'] as const;

export const OPEN_FOLDER_DIALOG: OpenDialogOptions = {
  title: 'Open an RGB-D sequence folder (TUM, 7-Scenes, NYU raw, Redwood, ICL-NUIM, rosbag2)',
  properties: ['openDirectory'],
};

export const OPEN_RECORDING_DIALOG: OpenDialogOptions = {
  title: 'Open a recording (ROS 2 bag .mcap, ElasticFusion .klg)',
  properties: ['openFile'],
  filters: [
    { name: 'RGB-D recordings (.mcap, .klg)', extensions: [...RECORDING_EXTENSIONS] },
    { name: 'ROS 2 bags (MCAP)', extensions: ['mcap'] },
    { name: 'ElasticFusion / Kintinuous logs', extensions: ['klg'] },
    { name: 'All files', extensions: ['*'] },
  ],
};
