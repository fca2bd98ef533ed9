#!/usr/bin/env node
// The published entry point runs the compiled CLI (`npm run build`, also run by `npm install` through `prepare`).
import '../dist/src/cli/main.js';
