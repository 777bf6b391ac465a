export { default as StudyBrowser } from './StudyBrowser.svelte';
export { followScanProgress, instanceUrlBase, openFolderDialog, openPaths, openSample, refreshRecent, selectSeries } from './dataSource';
