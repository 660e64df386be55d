#!/usr/bin/env node
// Compiles apps/, libs/ and migrations/ to dist/ with swc. Type-checking is `npm run typecheck`;
// this step only transpiles, so it takes well under a second and can run before every start.
// Source maps go in files beside the code, not inline: V8 keeps every loaded module's source text,
// and its sourceMappingURL once more, for the life of the process (10-45 MB of idle RSS, bench:embedded-memory).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..');
const sourceDirs = ['apps', 'libs', 'migrations', 'bench'];
const defaultOutDir = path.join(root, 'dist');

function swcOptions(filename) {
  const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
  return {
    filename,
    sourceMaps: true,
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      baseUrl: root,
      paths: tsconfig.compilerOptions.paths,
      keepClassNames: true,
    },
  };
}

function* typescriptSources(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* typescriptSources(full);
    else if (entry.name.endsWith('.ts') && !/\.(spec|fixtures|d)\.ts$/.test(entry.name)) yield full;
  }
}

/** Compiles into `outDir` (default dist/); tests build into a folder of their own under the root. */
function build(outDir = defaultOutDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  let count = 0;
  for (const dir of sourceDirs) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const file of typescriptSources(abs)) {
      const { code, map } = swc.transformFileSync(file, swcOptions(file));
      const target = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
      fs.writeFileSync(`${target}.map`, map);
      count++;
    }
  }
  return count;
}

module.exports = { build, swcOptions };

if (require.main === module) {
  const started = Date.now();
  const count = build();
  process.stderr.write(`hearth: compiled ${count} files to dist/ in ${Date.now() - started} ms\n`);
}
