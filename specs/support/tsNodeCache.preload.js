// node -r specs/support/tsNodeCache.preload.js -r ts-node/register/transpile-only …: ts-node with
// its output cached on disk by content (see tsNodeCache.js). specs/support/tsNode.ts has the arguments.
'use strict';
require('./tsNodeCache').install();
