export * from './study-tree';
