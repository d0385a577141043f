#!/usr/bin/env node
// Runs the CLI from source through tsx in a checkout, or from dist/ in a built package that ships no sources.
import { existsSync } from 'node:fs';

const source = new URL('../core/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/core/cli/main.js', import.meta.url).href);
}
