export * from './truth';
export * from './context';
export * from './policy';
export * from './patterns';
export * from './conditions';
export * from './principals';
export * from './statement';
export * from './engine';
