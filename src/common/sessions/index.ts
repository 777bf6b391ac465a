export * from './session-file';
export * from './views';
