/** What one `npm run bench` measured (also its JSON file), and the tables printed from it. */
import type { HttpReport, ScenarioSettings } from './scenarios';

export interface BenchReport {
  startedAt: string;
  quick: boolean;
  machine: { cores: number; cpu: string; node: string; loadAverageBefore: number[]; loadAverageAfter?: number[] };
  database: { version: string };
  settings: ScenarioSettings;
  keyset: { sort: string; page: number; firstMs: number; keysetMs: number; skipMs: number; explain: string }[];
  http: HttpReport | undefined;
  cpuProfiles?: {
    file: string;
    idlePercent: number;
    modules: { name: string; percent: number }[];
    functions: { name: string; percent: number }[];
  }[];
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

export function printReport(report: BenchReport) {
  if (report.keyset.length > 0) {
    console.log('\n## Catalogue: keyset page vs skip, against page 1 (in process, services only)\n');
    console.log(
      '| sort | page 1 (baseline) | keyset page | skip to the same page | explain |\n| --- | --- | --- | --- | --- |',
    );
    for (const row of report.keyset) {
      console.log(
        `| ${row.sort} | ${fixed(row.firstMs, 2)} ms | page ${row.page}: ${fixed(row.keysetMs, 2)} ms (${fixed(row.keysetMs / row.firstMs, 2)}x) | ${fixed(row.skipMs, 2)} ms (${fixed(row.skipMs / row.firstMs, 2)}x) | ${row.explain} |`,
      );
    }
  }
  const http = report.http;
  if (!http) return;
  console.log('\n## HTTP scenarios\n');
  console.log(
    '| scenario | server | conns | req/s | p50 ms | p99 ms | errors / non-2xx | server loop delay p99 ms | server CPU ms/req | × Express floor | × bare http |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of http.rows) {
    const floor = http.rows.find((other) => other.scenario === row.scenario && other.server === 'Express floor');
    const bare = http.rows.find((other) => other.scenario === row.scenario && other.server === 'bare node:http');
    const versus = (base: typeof floor) => (base && base !== row ? fixed(row.perSecond / base.perSecond, 2) : '');
    console.log(
      `| ${row.scenario} | ${row.server} | ${row.connections} | ${fixed(row.perSecond)} | ${fixed(row.p50Ms)} | ${fixed(row.p99Ms)} | ${row.errors} / ${row.non2xx} | ${fixed(row.loopDelayP99Ms)} | ${fixed(row.cpuMsPerRequest, 3)} | ${versus(floor)} | ${versus(bare)} |`,
    );
  }
  if (Number.isFinite(http.hashMs)) {
    console.log(
      `\nhash at cost ${report.settings.bcryptCost}: bcryptjs ${fixed(http.hashMs)} ms, native bcrypt ${fixed(http.nativeHashMs)} ms; ${report.settings.cores} cores`,
    );
  }
  console.log(
    `project log: ${http.projectLog.lines} JSON lines written to stdout (a file), ${http.projectLog.problems} at warn/error${http.projectLog.firstProblems.length > 0 ? `, first: ${http.projectLog.firstProblems.join(' / ')}` : ''}`,
  );
  if (http.targets.length === 0) return;
  console.log('\n## Targets (issue 9)\n');
  console.log('| ratio | measured | target | met | figures |\n| --- | --- | --- | --- | --- |');
  for (const target of http.targets) {
    console.log(
      `| ${target.name} | ${fixed(target.value, 2)} | ${target.goal} | ${target.goal === 'report' ? '-' : target.met ? 'yes' : 'NO'} | ${target.detail} |`,
    );
  }
}
