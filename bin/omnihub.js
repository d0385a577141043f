#!/usr/bin/env node
// The omnihub CLI. TypeScript sources run directly through tsx's loader: no build step between a clone and a run.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../core/cli/main.ts', import.meta.url).href);
