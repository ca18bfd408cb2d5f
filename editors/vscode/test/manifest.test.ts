// The extension manifest and language configuration agree with the code and with the language.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { EXTENSION_ROOT } from './tokenize';

const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8'));
const languageConfiguration = JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, 'language-configuration.json'), 'utf8'));
const extensionSource = fs.readFileSync(path.join(EXTENSION_ROOT, 'src', 'extension.ts'), 'utf8');

describe('manifest', () => {
  it('declares every command it registers, and registers every command it declares', () => {
    const declared = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
    const registered = new Set([...extensionSource.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]));
    assert.deepEqual([...declared].sort(), [...registered].sort());
    for (const [menu, items] of Object.entries(manifest.contributes.menus as Record<string, Array<{ command: string }>>)) {
      for (const item of items) {
        assert.ok(declared.has(item.command), `${menu} names the undeclared command ${item.command}`);
      }
    }
  });

  it('does not declare the commands the language server registers itself', () => {
    // vscode-languageclient registers the server's executeCommand commands; declaring them too
    // would make the registration fail.
    const declared = manifest.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(!declared.includes('gene.runFile'));
    assert.ok(!declared.includes('gene.stopRun'));
  });

  it('titles the commands as the palette shows them', () => {
    const titles = manifest.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`).sort();
    assert.deepEqual(titles, [
      'Gene: Debug File',
      'Gene: Debug File from Code Lens',
      'Gene: Restart Language Server',
      'Gene: Run File',
      'Gene: Stop Run',
    ]);
  });

  it('points at files that exist', () => {
    for (const grammar of manifest.contributes.grammars) {
      assert.ok(fs.existsSync(path.join(EXTENSION_ROOT, grammar.path)), grammar.path);
    }
    for (const language of manifest.contributes.languages) {
      assert.ok(fs.existsSync(path.join(EXTENSION_ROOT, language.configuration)), language.configuration);
    }
  });

  it('passes the run memory cap it declares to the server', () => {
    const setting = manifest.contributes.configuration.properties['gene.run.maxMemoryMb'];
    // The server's own default (gene_lsp::run::DEFAULT_MAX_MEMORY_MB).
    assert.equal(setting.default, 4096);
    assert.match(extensionSource, /run: \{ maxMemoryMb: vscode\.workspace\.getConfiguration\('gene'\)\.get<number>\('run\.maxMemoryMb', 4096\)/);
    assert.match(extensionSource, /configurationSection: 'gene'/);
  });

  it('uses the client id whose trace setting it declares', () => {
    assert.ok(manifest.contributes.configuration.properties['gene.trace.server']);
    assert.match(extensionSource, /new LanguageClient\('gene',/);
  });
});

describe('language configuration', () => {
  const wordPattern = new RegExp(languageConfiguration.wordPattern, 'g');

  function wordAt(text: string, offset: number): string | undefined {
    for (const m of text.matchAll(wordPattern)) {
      if (m.index !== undefined && m.index <= offset && offset < m.index + m[0].length) {
        return m[0];
      }
    }
    return undefined;
  }

  it('keeps paths, properties and spreads whole', () => {
    const text = '(f gene/io/read_async ^key xs... ^^flag ^!off :quoted "s")';
    assert.equal(wordAt(text, text.indexOf('io')), 'gene/io/read_async');
    assert.equal(wordAt(text, text.indexOf('key')), '^key');
    assert.equal(wordAt(text, text.indexOf('xs')), 'xs...');
    assert.equal(wordAt(text, text.indexOf('flag')), '^^flag');
    assert.equal(wordAt(text, text.indexOf('off')), '^!off');
    assert.equal(wordAt(text, text.indexOf('quoted')), 'quoted');
    assert.equal(wordAt(text, text.indexOf('(')), undefined);
  });

  it('comments lines with `# ` and blocks with #< >#', () => {
    assert.equal(languageConfiguration.comments.lineComment, '#');
    assert.deepEqual(languageConfiguration.comments.blockComment, ['#<', '>#']);
  });

  it('indents after an unclosed opener and outdents a closer', () => {
    const increase = new RegExp(languageConfiguration.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(languageConfiguration.indentationRules.decreaseIndentPattern);
    assert.ok(increase.test('(fn f [x]'));
    assert.ok(increase.test('(class A'));
    assert.ok(increase.test('  {^a 1'));
    assert.ok(!increase.test('(f x)'));
    assert.ok(!increase.test('[1 2]'));
    assert.ok(decrease.test('  )'));
    assert.ok(!decrease.test('  (f)'));
  });
});

describe('debugger contribution', () => {
  it('contributes a gene debugger with a launch configuration F5 can use', () => {
    const debuggers = manifest.contributes.debuggers as Array<Record<string, any>>;
    const gene = debuggers.find((d) => d.type === 'gene');
    assert.ok(gene, 'a debugger of type gene');
    assert.deepEqual(gene.languages, ['gene']);
    assert.deepEqual(gene.configurationAttributes.launch.required, ['program']);
    for (const key of ['program', 'args', 'cwd', 'stopOnEntry', 'noDebug']) {
      assert.ok(gene.configurationAttributes.launch.properties[key], key);
    }
    assert.equal(gene.initialConfigurations[0].request, 'launch');
    assert.ok(gene.configurationSnippets.length > 0);
    assert.deepEqual(manifest.contributes.breakpoints, [{ language: 'gene' }]);
    assert.ok(manifest.activationEvents.includes('onDebugResolve:gene'));
  });

  it('puts Debug File beside Run File in the editor title', () => {
    const run = manifest.contributes.menus['editor/title/run'].map((m: { command: string }) => m.command);
    assert.ok(run.includes('gene.runCurrentFile'));
    assert.ok(run.includes('gene.debugCurrentFile'));
  });
});
