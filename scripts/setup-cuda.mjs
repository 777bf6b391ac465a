#!/usr/bin/env node
/**
 * `npm run setup:cuda` — installs onnxruntime-node's CUDA 12 execution provider on a GPU
 * workstation. The default install skips it (.npmrc: onnxruntime-node-install=skip)
 * because the libraries are large and come from NuGet, which offline machines and CI
 * cannot reach. This runs onnxruntime-node's own install script with its CUDA flag
 * (ONNXRUNTIME_NODE_INSTALL=cuda12, which takes precedence over the .npmrc setting), then
 * checks that the provider libraries are in place.
 *
 * Needs: Linux x64 or Windows x64, an NVIDIA driver, CUDA 12 and cuDNN 9 runtime libraries
 * on the library path, and network access to api.nuget.org for this one step.
 *
 *   npm run setup:cuda            install, then check
 *   npm run setup:cuda -- --check only report whether the CUDA provider is installed
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const ortRoot = dirname(require.resolve('onnxruntime-node/package.json'));
const target = `${platform()}/${arch()}`;
const binFolder = join(ortRoot, 'bin', 'napi-v6', target);
const PROVIDER_FILES = {
  'linux/x64': ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'],
  'win32/x64': ['onnxruntime_providers_cuda.dll', 'onnxruntime_providers_shared.dll'],
};

function installed() {
  const files = PROVIDER_FILES[target];
  return files ? files.every((file) => existsSync(join(binFolder, file))) : false;
}

if (!PROVIDER_FILES[target]) {
  console.error(`onnxruntime-node has no CUDA provider for ${target}; Pleura will run on the CPU.`);
  process.exit(1);
}

if (process.argv.includes('--check')) {
  console.log(installed() ? `CUDA provider installed in ${binFolder}.` : `CUDA provider not installed (run: npm run setup:cuda).`);
  process.exit(installed() ? 0 : 1);
}

console.log(`Installing the onnxruntime-node CUDA 12 provider into ${binFolder} ...`);
const result = spawnSync(process.execPath, [join(ortRoot, 'script', 'install.js')], {
  cwd: ortRoot,
  stdio: 'inherit',
  env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' },
});
if (result.status !== 0) {
  console.error('The CUDA provider could not be installed (see above). Pleura keeps working on the CPU.');
  process.exit(result.status ?? 1);
}
if (!installed()) {
  console.error(`The install script finished but ${PROVIDER_FILES[target].join(', ')} are missing from ${binFolder}.`);
  process.exit(1);
}
console.log('Done. Start Pleura or run `npm run pleura -- analyze ... --device cuda`; the report names the provider used.');
