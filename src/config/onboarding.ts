/**
 * The `.github/coordinator.yml` the onboarding PR proposes: every key of the schema with its
 * default written out and its description as a comment, generated from the JSON Schema so it can
 * never disagree with what the app reads (a test parses it back and gets the defaults).
 */
import jsYaml from 'js-yaml';
import { repoConfigJsonSchema, SCHEMA_ID } from './json-schema.js';

interface SchemaNode {
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
}

const WIDTH = 96;

/** @returns the YAML text (LF line endings, final newline). */
export function onboardingConfig(): string {
  const schema = repoConfigJsonSchema() as SchemaNode;
  const out = [
    `# yaml-language-server: $schema=${SCHEMA_ID}`,
    '# Taskgraph Coordinator: every key below is set to its default. Delete what you do not change;',
    "# a key left out keeps its default. Org-wide defaults can live in the owner's `.github` repository",
    '# (`_extends: .github`).',
    '',
  ];
  for (const [section, node] of Object.entries(schema.properties ?? {})) {
    if (section === '_extends') continue;
    if (node.properties) {
      out.push(`${section}:`);
      for (const [key, child] of Object.entries(node.properties)) {
        out.push(...comment(child.description, '  '), `  ${key}: ${scalar(child.default)}`);
      }
      out.push('');
    } else {
      out.push(...comment(node.description, ''), `${section}: ${scalar(node.default)}`, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function scalar(value: unknown): string {
  return jsYaml.dump(value ?? null, { flowLevel: 0, lineWidth: -1 }).trim();
}

function comment(text: string | undefined, indent: string): string[] {
  if (!text) return [];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + 2 + line.length + 1 + word.length > WIDTH) {
      lines.push(`${indent}# ${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(`${indent}# ${line}`);
  return lines;
}
