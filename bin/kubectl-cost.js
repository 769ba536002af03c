#!/usr/bin/env node
// Entry point of the kubectl plugin: kubectl runs `kubectl-cost` from the PATH
// for `kubectl cost …`. It is `kcost cost …` with kubectl's short flags
// (-n, -o, -f) accepted; the compiled code lives in dist/ (`npm run build`).
import { main } from '../dist/services/cli/main.js';
import { kubectlArgs } from '../dist/services/kubectl/kubectl-args.js';

process.exitCode = await main(['cost', ...kubectlArgs(process.argv.slice(2))]);
