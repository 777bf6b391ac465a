export * from './contract';
export * from './define';
export * from './app';
export * from './studies';
export * from './analysis';
export * from './sessions';
