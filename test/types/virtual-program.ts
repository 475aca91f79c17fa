/**
 * Type-checks generated TypeScript against the sources (src/index.ts): virtual files, one program for all of
 * them, as an editor sees them. Used by the message and static-vs-runtime tests.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A program over `files` (name relative to test/types -> source); they import '../../src/index.js'. */
export function virtualProgram(files: Record<string, string>): {
  program: ts.Program;
  file: (name: string) => ts.SourceFile;
} {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  };
  const full = new Map(Object.entries(files).map(([name, text]) => [path.join(root, 'test/types', name), text]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) => {
    const text = full.get(path.resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, version, true) : getSourceFile(name, version, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => full.has(path.resolve(name)) || fileExists(name);
  const program = ts.createProgram([...full.keys()], options, host);
  return { program, file: (name) => program.getSourceFile(path.join(root, 'test/types', name))! };
}
