#!/usr/bin/env node
'use strict';
// `lltp`: runs the TypeScript CLI (server/cli/lltp.ts) through tsx's CommonJS loader, a runtime
// dependency of the project, so `npx lltp …` works in the repository without a build step.
require('tsx/cjs/api').register();
require('../server/cli/lltp.ts').main();
