/**
 * What the benchmarks share: each synthesis in a child process of its own
 * (after a warm-up synthesis, so that aws-cdk-lib's lazy module loading stays
 * out of the measurement), the variants interleaved, the median of the runs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

/** The median of some numbers (the upper one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Reads a benchmark's command line. In a child (`--child VARIANT SIZE`, as
 * `runChild` starts it) it runs `child` and returns undefined; otherwise it
 * returns the arguments and `--repeat N` (3 by default).
 */
export function benchmarkArgs<V extends string>(child: (variant: V, size: number) => void): { args: string[]; repeat: number } | undefined {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    child(args[1] as V, Number(args[2]));
    return undefined;
  }
  const at = args.indexOf('--repeat');
  return { args, repeat: at >= 0 ? Number(args[at + 1]) : 3 };
}

/** In a child: synthesizes a one-size app built by `build`, and throws it away. */
export function warmUp(build: (app: App) => void): void {
  const warmup = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-warmup-')), analyticsReporting: false });
  build(warmup);
  fs.rmSync(warmup.synth().directory, { recursive: true, force: true });
}

/** Runs `script --child variant size` in a node of its own, and parses what it printed. */
export function runChild<S>(script: string, variant: string, size: number): S {
  const result = spawnSync(process.execPath, [...process.execArgv, script, '--child', variant, String(size)], {
    encoding: 'utf-8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) { throw new Error(`${variant} at ${size} failed: ${result.stderr}`); }
  return JSON.parse(result.stdout) as S;
}

/**
 * Every variant at every size, `repeat` times, interleaved (all variants of a
 * size, then again), so that the machine's drift hits each alike. The samples
 * are keyed `variant@size`.
 */
export function sampleAll<S>(sizes: readonly number[], variants: readonly string[], repeat: number,
  run: (variant: string, size: number) => S): Map<string, S[]> {
  const samples = new Map<string, S[]>();
  for (const size of sizes) {
    for (let r = 0; r < repeat; r++) {
      for (const variant of variants) {
        const key = `${variant}@${size}`;
        samples.set(key, [...(samples.get(key) ?? []), run(variant, size)]);
        process.stderr.write('.');
      }
    }
  }
  process.stderr.write('\n');
  return samples;
}

/** The machine the figures were measured on, for the first line of a report. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`;
}
