// Fails CI when a test was skipped, or when the PostgreSQL-backed suites did not run.
// Reads vitest's JSON report. PostgreSQL suites carry "[postgres]" or "[pgboss]" in their names.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.tmp/vitest-report.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
const tests = report.testResults.flatMap((f) => f.assertionResults.map((t) => ({ ...t, file: f.name })));
const name = (t) => [...(t.ancestorTitles ?? []), t.title].join(' > ');
const skipped = tests.filter((t) => t.status === 'skipped' || t.status === 'pending' || t.status === 'todo');
const pgTests = tests.filter((t) => /\[(postgres|pgboss)\]/.test(name(t)));
const pgPassed = pgTests.filter((t) => t.status === 'passed');

let failed = false;
if (skipped.length) {
  failed = true;
  console.error(`${skipped.length} test(s) were skipped; a skipped test counts as failing:`);
  for (const t of skipped.slice(0, 20)) console.error(`  - ${name(t)} (${t.file})`);
}
if (pgPassed.length === 0) {
  failed = true;
  console.error('No PostgreSQL-backed test ran: is KOPPEL_TEST_DATABASE_URL exported?');
}
console.log(`test report: ${tests.length} tests, ${pgPassed.length}/${pgTests.length} PostgreSQL-backed passed, ${skipped.length} skipped`);
process.exit(failed ? 1 : 0);
