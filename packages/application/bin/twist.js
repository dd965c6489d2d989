#!/usr/bin/env node
// Committed, unlike dist/, so that `pnpm install` on a fresh clone can link this bin before
// anything is built (pnpm warns for a bin whose file is missing). The command is in dist/.
import "../dist/cli.js";
