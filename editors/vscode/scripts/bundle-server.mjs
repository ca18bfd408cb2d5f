// Copies a built gene-lsp into server/, where the extension looks before PATH, so the packaged
// .vsix works with no set-up. Usage: npm run bundle-server [-- PATH_TO_GENE_LSP]
// Without an argument: $GENE_LSP, else target/release/gene-lsp, else target/debug/gene-lsp.
import { copyFileSync, existsSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const exe = process.platform === 'win32' ? 'gene-lsp.exe' : 'gene-lsp';
const candidates = [
  process.argv[2],
  process.env.GENE_LSP,
  join(repo, 'target', 'release', exe),
  join(repo, 'target', 'debug', exe),
].filter(Boolean);

const source = candidates.find((p) => existsSync(p));
if (!source) {
  console.error(`no gene-lsp binary found; tried:\n  ${candidates.join('\n  ')}\n` +
    'build it first: cargo build -p gene-lsp --release');
  process.exit(1);
}
const target = join(here, '..', 'server', exe);
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
chmodSync(target, 0o755);
console.log(`bundled ${source} -> ${target}`);
