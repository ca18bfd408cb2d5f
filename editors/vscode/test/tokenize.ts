// Tokenizes Gene text with the real TextMate engine VS Code uses (vscode-textmate on the
// Oniguruma regex library compiled to WebAssembly) and the extension's grammar.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

export const EXTENSION_ROOT = path.resolve(__dirname, '..', '..');
const GRAMMAR_PATH = path.join(EXTENSION_ROOT, 'syntaxes', 'gene.tmLanguage.json');

export interface Token {
  text: string;
  start: number;
  end: number;
  scopes: string[];
}

let grammarPromise: Promise<textmate.IGrammar> | undefined;

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'source.gene') {
        return null;
      }
      const text = fs.readFileSync(GRAMMAR_PATH, 'utf8');
      return textmate.parseRawGrammar(text, GRAMMAR_PATH);
    },
  });
  const grammar = await registry.loadGrammar('source.gene');
  if (!grammar) {
    throw new Error(`could not load ${GRAMMAR_PATH}`);
  }
  return grammar;
}

export function grammar(): Promise<textmate.IGrammar> {
  grammarPromise ??= loadGrammar();
  return grammarPromise;
}

export interface TokenizedText {
  lines: Token[][];
  /** True when every bracket and string opened in the text was closed by its end. */
  balanced: boolean;
}

export async function tokenize(text: string): Promise<TokenizedText> {
  const g = await grammar();
  let stack = textmate.INITIAL;
  const lines: Token[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const result = g.tokenizeLine(line, stack);
    lines.push(
      result.tokens.map((t) => ({
        text: line.slice(t.startIndex, Math.min(t.endIndex, line.length)),
        start: t.startIndex,
        end: Math.min(t.endIndex, line.length),
        scopes: t.scopes,
      })),
    );
    stack = result.ruleStack;
  }
  // The state after an empty line is the top level: nothing open.
  const topLevel = g.tokenizeLine('', textmate.INITIAL).ruleStack;
  return { lines, balanced: stack.equals(topLevel) };
}

/** `expected` names a scope of the token when it equals one of its scopes or is a dot-prefix
 * of one (`keyword.control` matches `keyword.control.gene`). */
export function hasScope(token: Token, expected: string): boolean {
  return token.scopes.some((s) => s === expected || s.startsWith(expected + '.'));
}
