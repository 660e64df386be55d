import * as fs from 'node:fs';
import * as path from 'node:path';

export const SERVER_SOFTWARE_NAME = 'Hearth';

/** Our package version, found by walking up from this file (sources and dist/ sit at different depths). */
export const SERVER_SOFTWARE_VERSION: string = readPackageVersion(__dirname);

function readPackageVersion(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hearth' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}
