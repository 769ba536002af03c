#!/usr/bin/env node
// Entry point of the `kcost` binary: the compiled CLI lives in dist/ (`npm run build`).
import { runCli } from './run-cli.js';

await runCli([], process.argv.slice(2));
