export * from './engine';
export * from './template';
