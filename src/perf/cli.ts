import { parsePerfArgs, UsageError, USAGE } from './options.js';
import type { PerfOptions } from './options.js';
import type { BrokerChild } from './broker-child.js';
import { comparisonTable, detailLine, runPerf, scenarioLine, summaryLine } from './run.js';
import type { PerfSummary } from './run.js';

/** Extra time past --timeout after which the process gives up on a clean exit. */
const LAST_RESORT_MS = 15_000;

async function main(): Promise<number> {
  let runs: readonly PerfOptions[];
  try {
    const parsed = parsePerfArgs(process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    runs = parsed.runs;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`warrenperf: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }

  let broker: BrokerChild | undefined;
  // Whatever happens, a broker child does not outlive us.
  process.on('exit', () => broker?.killNow());
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`warrenperf: ${signal}, stopping\n`);
      controller.abort();
    } else {
      process.stderr.write(`warrenperf: ${signal} again, exiting now\n`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // Each run has its own hard timeout (--timeout); this is the last resort for all of them.
  const timeoutS = runs.reduce((sum, o) => sum + o.timeoutS, 0);
  setTimeout(() => {
    process.stderr.write('warrenperf: did not finish after the hard timeout; exiting\n');
    process.exit(1);
  }, timeoutS * 1000 + LAST_RESORT_MS).unref();

  // Every run has the same --json (it applies to them all).
  const json = runs[0]?.json === true;
  const out = json ? process.stderr : process.stdout;
  const log = (line: string) => out.write(line + '\n');
  const done: Array<{ options: PerfOptions; summary: PerfSummary }> = [];
  try {
    // One run after the other, each against its own broker child; an interruption ends the series.
    for (const [index, options] of runs.entries()) {
      if (controller.signal.aborted) break;
      if (options.scenario !== undefined) log(scenarioLine(options, index, runs.length));
      const summary = await runPerf(options, {
        log,
        interrupt: controller.signal,
        quiet: options.quiet,
        onBroker: (b) => (broker = b),
      });
      done.push({ options, summary });
      log(detailLine(summary, options));
      log(summaryLine(summary));
      if (json) process.stdout.write(JSON.stringify(summary) + '\n');
    }
    if (runs.length > 1 && done.length > 0) {
      log('warrenperf: the scenarios side by side:');
      for (const line of comparisonTable(done)) log(line);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`warrenperf: error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`warrenperf: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
