#!/usr/bin/env node
// Entry point of the kubectl plugin: kubectl runs `kubectl-cost` from the PATH
// for `kubectl cost …`. It is `kcost cost …` (which takes kubectl's -n, -o and -f).
import { runCli } from './run-cli.js';

await runCli(['cost'], process.argv.slice(2));
