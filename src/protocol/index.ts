export * from './constants.js';
export * from './errors.js';
export * from './field-types.js';
export * from './field-table.js';
export * from './frame-reader.js';
export * from './generated/methods.js';
export * from './generated/properties.js';
