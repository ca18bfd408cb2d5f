// Grammar tests: every sample under test/grammar is tokenized with the real TextMate engine and
// its scope assertions (see assertions.ts) are checked; no token may be invalid unless an
// assertion says so. Then every Gene program of the repository that the reader accepts must
// tokenize with no invalid token and with all its brackets and strings closed.

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { isAssertionLine, parseAssertions } from './assertions';
import { EXTENSION_ROOT, hasScope, tokenize, type Token } from './tokenize';

const SAMPLES = path.join(EXTENSION_ROOT, 'test', 'grammar');
const REPO = path.resolve(EXTENSION_ROOT, '..', '..');

function describeToken(t: Token): string {
  return `${JSON.stringify(t.text)} [${t.scopes.join(' ')}]`;
}

describe('grammar samples', () => {
  const samples = fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.gene'));
  it('has samples', () => assert.ok(samples.length >= 5, `only ${samples.length} samples`));

  for (const sample of samples) {
    it(sample, async () => {
      const text = fs.readFileSync(path.join(SAMPLES, sample), 'utf8');
      const { lines, balanced } = await tokenize(text);
      const assertions = parseAssertions(text);
      assert.ok(assertions.length > 0, `${sample} has no assertions`);
      const failures: string[] = [];
      const invalidAllowed = new Set<string>();
      for (const a of assertions) {
        const tokens = lines[a.line].filter((t) => t.start < a.to && t.end > a.from);
        if (tokens.length === 0) {
          failures.push(`${sample}:${a.at}: no token under columns ${a.from}-${a.to}`);
          continue;
        }
        for (const t of tokens) {
          for (const scope of a.present) {
            if (!hasScope(t, scope)) {
              failures.push(`${sample}:${a.at}: expected ${scope} on ${describeToken(t)}`);
            }
            if (scope.startsWith('invalid')) {
              invalidAllowed.add(`${a.line}:${t.start}`);
            }
          }
          for (const scope of a.absent) {
            if (hasScope(t, scope)) {
              failures.push(`${sample}:${a.at}: did not expect ${scope} on ${describeToken(t)}`);
            }
          }
        }
      }
      const sourceLines = text.split(/\r?\n/);
      lines.forEach((tokens, line) => {
        if (isAssertionLine(sourceLines[line])) {
          return;
        }
        for (const t of tokens) {
          if (hasScope(t, 'invalid') && !invalidAllowed.has(`${line}:${t.start}`)) {
            failures.push(`${sample}:${line + 1}: unexpected invalid token ${describeToken(t)}`);
          }
        }
      });
      if (!sample.includes('invalid')) {
        assert.ok(balanced, `${sample}: a bracket, string or comment is still open at the end`);
      }
      assert.deepEqual(failures, []);
    });
  }
});

function corpusFiles(): string[] {
  const dirs = ['examples', 'tests/fixtures', 'tests/conformance', 'benches/programs'];
  return dirs
    .map((d) => path.join(REPO, d))
    .filter((d) => fs.existsSync(d))
    .flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.gene')).map((f) => path.join(d, f)));
}

/** The `gene` binary decides which files the reader accepts. */
function geneBinary(): string | undefined {
  const candidates = [
    process.env.GENE_BIN,
    path.join(REPO, 'target', 'debug', 'gene'),
    path.join(REPO, 'target', 'release', 'gene'),
  ];
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

function filesWithSyntaxErrors(gene: string, files: string[]): Set<string> {
  let output: string;
  try {
    output = execFileSync(gene, ['check', '--format', 'json', ...files], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (error) {
    // `gene check` exits with 1 when it reports errors; its stdout is still the JSON.
    const stdout = (error as { stdout?: string }).stdout;
    if (typeof stdout !== 'string' || stdout.trim() === '') {
      throw error;
    }
    output = stdout;
  }
  const diagnostics = JSON.parse(output) as Array<{ file: string; code: string }>;
  return new Set(diagnostics.filter((d) => /^E\d+$/.test(d.code)).map((d) => path.resolve(REPO, d.file)));
}

describe('repository programs', () => {
  const gene = geneBinary();
  it('tokenize without invalid tokens and close what they open', { skip: gene ? false : 'no gene binary: build it (cargo build -p gene-cli) or set GENE_BIN' }, async () => {
    const files = corpusFiles();
    assert.ok(files.length > 0, 'no Gene programs found in the repository');
    const rejected = filesWithSyntaxErrors(gene as string, files);
    const failures: string[] = [];
    let checked = 0;
    for (const file of files) {
      if (rejected.has(path.resolve(file))) {
        continue;
      }
      checked += 1;
      const { lines, balanced } = await tokenize(fs.readFileSync(file, 'utf8'));
      const rel = path.relative(REPO, file);
      lines.forEach((tokens, line) => {
        for (const t of tokens) {
          if (hasScope(t, 'invalid')) {
            failures.push(`${rel}:${line + 1}:${t.start + 1}: invalid token ${describeToken(t)}`);
          }
        }
      });
      if (!balanced) {
        failures.push(`${rel}: something is still open at the end of the file`);
      }
    }
    assert.ok(checked > 0);
    assert.deepEqual(failures, []);
  });
});
