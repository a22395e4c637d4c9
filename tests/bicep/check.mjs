// Syntax check for the Bicep files under infra/ (and any other root given as arguments).
// Parses every .bicep and .bicepparam file with the tree-sitter Bicep grammar, using the native
// parsers that ship prebuilt inside the npm packages (nothing is downloaded or compiled at run time).
// Prints file:line:col for each ERROR or MISSING node and exits 1 when any file has one.
// This is a grammar check only: it does not resolve types, API versions or property names.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const Parser = require('tree-sitter');
const Bicep = require('tree-sitter-bicep');

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const roots = process.argv.length > 2 ? process.argv.slice(2).map((p) => resolve(p)) : [join(repoRoot, 'infra')];

function findBicepFiles(path) {
  if (statSync(path).isFile()) {
    return /\.bicep(param)?$/.test(path) ? [path] : [];
  }
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules' && !entry.name.startsWith('.'))
    .flatMap((entry) => findBicepFiles(join(path, entry.name)))
    .sort();
}

/** Yields a description of every ERROR or MISSING node, in document order. */
function* syntaxProblems(node) {
  if (node.type === 'ERROR') {
    const snippet = node.text.split('\n')[0].slice(0, 60);
    yield { position: node.startPosition, message: `unexpected syntax near '${snippet}'` };
  } else if (node.isMissing) {
    yield { position: node.startPosition, message: `missing '${node.type}'` };
  }
  if (node.hasError) {
    for (const child of node.children) {
      yield* syntaxProblems(child);
    }
  }
}

// The grammar knows `param name type = value` (.bicep) but not the untyped `param name = value`
// assignment of .bicepparam files. In a .bicepparam file such a line is rewritten to
// `var   name = value` (same length, so reported lines and columns stay exact) before parsing;
// the value expression is still checked in full.
const bicepparamAssignment = /^(\s*)param(\s+[A-Za-z_][A-Za-z0-9_]*\s*=)/gm;

function sourceForGrammar(file, text) {
  return file.endsWith('.bicepparam') ? text.replace(bicepparamAssignment, '$1var  $2') : text;
}

const parser = new Parser();
parser.setLanguage(Bicep);

const files = roots.flatMap(findBicepFiles);
if (files.length === 0) {
  console.error(`No .bicep or .bicepparam files found under ${roots.join(', ')}`);
  process.exit(1);
}

let passed = 0;
let failed = 0;
for (const file of files) {
  const text = sourceForGrammar(file, readFileSync(file, 'utf8'));
  // The native binding reads string input through a fixed-size buffer; size it to the file.
  const tree = parser.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 1) });
  const name = relative(process.cwd(), file) || file;
  const problems = [...syntaxProblems(tree.rootNode)];
  if (problems.length === 0) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    for (const { position, message } of problems) {
      console.log(`${name}:${position.row + 1}:${position.column + 1}: error: ${message}`);
    }
    console.log(`FAIL ${name}`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
