// Builds the single executable `oma-reconciler` (dist/release/oma-reconciler):
//   1. esbuild bundles src/cli/bin.ts and every dependency into ONE CommonJS script (Node's SEA
//      entry must be one CommonJS script), with the version and git commit injected as constants;
//   2. Node's single-executable-application support turns it into a blob (node --experimental-sea-config);
//   3. postject injects the blob into a stripped copy of the build machine's node binary.
// Nothing at run time loads TypeScript, tsx or a file from node_modules. No network.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'release');
const bundle = join(out, 'oma-reconciler.cjs');
const blob = join(out, 'oma-reconciler.blob');
const binary = join(out, 'oma-reconciler');
const say = (line: string): boolean => process.stdout.write(`build-binary: ${line}\n`);

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  throw new Error(
    `node ${process.versions.node} is too old to build the executable: need >= 20.19 (the engines field)`,
  );
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
function gitCommit(): string {
  if (process.env.OMA_RECONCILER_COMMIT) return process.env.OMA_RECONCILER_COMMIT;
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty === '' ? sha : `${sha}-dirty`;
  } catch {
    return 'unknown';
  }
}
const commit = gitCommit();

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Optional modules that dependencies try to require inside try/catch (mysql2: cardinal, for coloured
// debug output). Left as require() calls they would reach the SEA's built-ins-only require and print
// a warning at every start; bundled as a module that throws MODULE_NOT_FOUND they stay absent quietly.
const OPTIONAL_ABSENT = ['cardinal'];
const absentOptionalModules: Plugin = {
  name: 'absent-optional-modules',
  setup(b) {
    const filter = new RegExp(`^(${OPTIONAL_ABSENT.join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'absent-optional' }));
    b.onLoad({ filter: /.*/, namespace: 'absent-optional' }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path} is not part of this build`)}), { code: 'MODULE_NOT_FOUND' });`,
      loader: 'js',
    }));
  },
};

// 1. One CommonJS script. Everything is bundled (no externals but Node's built-ins); modules that
//    would load files or workers at run time are not reached by this entry (pino without
//    transports, no pino-pretty), and the build fails if an import cannot be resolved.
const result = await build({
  entryPoints: [join(root, 'src', 'cli', 'bin.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  // Dependencies written as ES modules compute paths from import.meta.url at load time (node-cron's
  // background-task daemon path, never used here). In the CommonJS bundle it is the executable's URL.
  banner: { js: 'var __omaImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [absentOptionalModules],
  define: {
    'import.meta.url': '__omaImportMetaUrl',
    OMA_RECONCILER_VERSION: JSON.stringify(pkg.version),
    OMA_RECONCILER_COMMIT: JSON.stringify(commit),
  },
});
const inputs = Object.keys(result.metafile.inputs);
const forbidden = inputs.filter((i) => /node_modules\/(tsx|typescript|pino-pretty|vitest|playwright-core)\//.test(i));
if (forbidden.length > 0) throw new Error(`the bundle must not contain ${forbidden.join(', ')}`);
say(
  `bundled ${inputs.length} modules into ${relative(root, bundle)} (${statSync(bundle).size} bytes), version ${pkg.version}, commit ${commit}`,
);

// 2. The SEA blob. No code cache: V8 rejects it (with a warning on every start) whenever the V8
//    flags differ from the build's, and the unit sets NODE_OPTIONS=--max-old-space-size. The
//    experimental-feature warning would go to stderr (journald) on every start.
const seaConfig = join(out, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify(
    { main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false },
    null,
    2,
  ),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], {
  cwd: out,
  stdio: ['ignore', 'ignore', 'inherit'],
});

// 3. A stripped copy of this node binary with the blob injected. Stripping comes first: the blob
//    lives in its own ELF note that strip would drop.
copyFileSync(process.execPath, binary);
chmodSync(binary, 0o755);
try {
  // strip warns about node's many unnamed notes; only its exit status matters.
  execFileSync('strip', ['--strip-all', binary], { stdio: 'ignore' });
} catch (e) {
  say(
    `strip unavailable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the executable keeps node's symbols`,
  );
}
const postject = join(root, 'node_modules', 'postject', 'dist', 'cli.js');
execFileSync(
  process.execPath,
  [postject, binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);

// The executable must run on its own: no node_modules, no NODE_PATH, an empty working directory.
const version = execFileSync(binary, ['--version'], {
  cwd: '/',
  env: { PATH: '/usr/bin:/bin' },
  encoding: 'utf8',
}).trim();
if (!version.includes(pkg.version) || !version.includes(commit)) {
  throw new Error(`${binary} --version printed "${version}"`);
}
writeFileSync(join(out, 'VERSION'), `${pkg.version}\n`);
say(`${relative(root, binary)}: ${(statSync(binary).size / 1048576).toFixed(1)} MiB, prints "${version}"`);
