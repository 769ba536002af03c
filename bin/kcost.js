#!/usr/bin/env node
// Entry point of the `kcost` binary: the compiled CLI lives in dist/ (`npm run build`).
import { main } from '../dist/services/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
