#!/usr/bin/env node
// The installed entry point runs the compiled CLI (`npm run build`, which `npm install` runs through `prepare`).
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv);
