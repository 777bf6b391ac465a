/**
 * `npm run pleura -- <command>`: the headless entry point over the same plain-Node
 * services the app uses. Each command lives in src/cli/commands/<name>.ts.
 */

const USAGE = `Usage:
  npm run pleura -- scan <folder> [--json]
  npm run pleura -- analyze <folder|file...> --out <dir> [--modality ct|xray] [--device auto|cpu|cuda] [--streams ggo,consolidation,effusion,all]`;

// Imported on demand: `scan` must not pay for loading onnxruntime and the engine.
const commands: Record<string, (args: string[]) => Promise<number>> = {
  scan: async (args) => (await import('./commands/scan')).runScan(args),
  analyze: async (args) => (await import('./commands/analyze')).runAnalyze(args),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name ? `Unknown command "${name}".\n${USAGE}` : USAGE);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
