// Preload (node -r) that makes the packages in HIDE_MODULES (comma-separated) look not installed,
// to check what the CLI and demos say when an optional peer dependency is missing.
'use strict';
const Module = require('node:module');
const hidden = (process.env.HIDE_MODULES || '').split(',').filter(Boolean);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (hidden.some((name) => request === name || request.startsWith(name + '/'))) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
