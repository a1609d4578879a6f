/**
 * What the server says about the code in an answer (`done.blocks`, the explain
 * `diagnosis` event), read leniently, and which rendered code block each verdict belongs
 * to. Pure: no DOM (verdictView.ts renders).
 */

/** How far the server got with a block (repair/verdict.py). */
export type Verdict = 'checked' | 'repaired' | 'not_checked';

/** A name the code uses that does not exist, with the closest real ones. */
export interface IUnknownName {
  /** As written, e.g. `t.amout`. */
  name: string;
  /** "column", "method of float64", "ibis function", … */
  kind: string;
  closest: string[];
}

/** The verdict on one Python block of an answer. */
export interface IBlockVerdict {
  /** The code to use: the repaired code when the rules changed it. */
  code: string;
  verdict: Verdict;
  /** Why it is not checked, or what the repair did. */
  reason: string;
  unknown_names: IUnknownName[];
  /** The compiled SQL (checked and repaired blocks only). */
  sql: string | null;
  /** The block as written, when the rules changed it. */
  original: string | null;
  /** The rules' change as a unified diff ('' when none). */
  change: string;
  /** The model's revision after this block failed its check, when one checked. */
  revised?: IRevision | null;
}

/** A block the model rewrote after being told the check's error (self-repair). */
export interface IRevision extends IBlockVerdict {
  /** Which round of self-repair wrote it. */
  rounds: number;
}

/** One finding of the deterministic rules. */
export interface IFinding {
  rule: string;
  message: string;
}

/** The explain stream's first event: the rules' findings and their fix. */
export interface IDiagnosis {
  findings: IFinding[];
  fix: IBlockVerdict | null;
}

/** Fence languages the server judges (```python, ```py, unlabelled). */
const PYTHON_LANGUAGES = ['python', 'py', ''];

/** True for a fenced block's language the server gives a verdict on. */
export function isPythonLanguage(language: string): boolean {
  return PYTHON_LANGUAGES.includes(language.trim().toLowerCase());
}

/** A block verdict from the server's JSON, or null when it is not one. */
export function parseBlock(value: unknown): IBlockVerdict | null {
  const raw = value as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || typeof raw.code !== 'string') {
    return null;
  }
  const verdict = raw.verdict;
  if (
    verdict !== 'checked' &&
    verdict !== 'repaired' &&
    verdict !== 'not_checked'
  ) {
    return null;
  }
  const revised = parseRevision(raw.revised);
  return {
    code: raw.code,
    verdict,
    reason: stringOr(raw.reason, ''),
    unknown_names: Array.isArray(raw.unknown_names)
      ? raw.unknown_names.flatMap(parseUnknownName)
      : [],
    sql: typeof raw.sql === 'string' && raw.sql ? raw.sql : null,
    original: typeof raw.original === 'string' ? raw.original : null,
    change: stringOr(raw.change, ''),
    ...(revised ? { revised } : {})
  };
}

/** The `revised` entry of a block: a block verdict plus its round, or null. */
function parseRevision(value: unknown): IRevision | null {
  const block = parseBlock(value);
  if (!block || block.verdict === 'not_checked') {
    return null; // only a revision that checked is shown
  }
  const rounds = (value as { rounds?: unknown }).rounds;
  return { ...block, rounds: typeof rounds === 'number' ? rounds : 1 };
}

/** The verdicts of a closing event's `blocks` (malformed entries left out). */
export function parseBlocks(value: unknown): IBlockVerdict[] {
  return Array.isArray(value)
    ? value.flatMap(block => parseBlock(block) ?? [])
    : [];
}

/** The explain `diagnosis` event's findings and fix. */
export function parseDiagnosis(value: unknown): IDiagnosis {
  const raw = (value ?? {}) as { findings?: unknown; fix?: unknown };
  const findings = Array.isArray(raw.findings)
    ? raw.findings.flatMap((finding: any) =>
        typeof finding?.message === 'string'
          ? [{ rule: stringOr(finding.rule, ''), message: finding.message }]
          : []
      )
    : [];
  return { findings, fix: parseBlock(raw.fix) };
}

/**
 * The verdict for each rendered code block (`shown`: their texts, in order), or null.
 * A verdict belongs to the block that shows the code as written; blocks the server did
 * not judge (SQL, output) and verdicts matching no block are skipped, so one odd block
 * never shifts the others' verdicts.
 */
export function matchBlocks(
  shown: string[],
  blocks: IBlockVerdict[]
): (IBlockVerdict | null)[] {
  const written = blocks.map(block => normalise(block.original ?? block.code));
  let next = 0;
  return shown.map(text => {
    const key = normalise(text);
    const found = written.indexOf(key, next);
    if (found < 0) {
      return null;
    }
    next = found + 1;
    return blocks[found];
  });
}

/** The code a block's Copy / Insert / Replace use: the repair when there is one. */
export function actionCode(
  shown: string,
  verdict: IBlockVerdict | null
): string {
  return verdict?.verdict === 'repaired' ? verdict.code : shown;
}

/** "`t.amout` is not a column — closest: amount" (Markdown-free text, name quoted). */
export function unknownNameText(unknown: IUnknownName): string {
  const article = /^[aeiou]/i.test(unknown.kind) ? 'an' : 'a';
  const closest = unknown.closest.length
    ? ` — closest: ${unknown.closest.join(', ')}`
    : '';
  return `${unknown.name} is not ${article} ${unknown.kind}${closest}`;
}

/**
 * Code as compared between the answer and its rendering: no trailing spaces, no blank
 * first or last lines, no common indentation (a fence inside a list is indented in the
 * answer and not in the rendered block).
 */
export function normalise(code: string): string {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  const trimmed = lines.map(line => line.trimEnd());
  while (trimmed.length && !trimmed[0]) {
    trimmed.shift();
  }
  while (trimmed.length && !trimmed[trimmed.length - 1]) {
    trimmed.pop();
  }
  const indents = trimmed
    .filter(line => line)
    .map(line => line.length - line.trimStart().length);
  const indent = indents.length ? Math.min(...indents) : 0;
  return trimmed.map(line => line.slice(indent)).join('\n');
}

function parseUnknownName(value: any): IUnknownName[] {
  if (typeof value?.name !== 'string') {
    return [];
  }
  return [
    {
      name: value.name,
      kind: stringOr(value.kind, 'name'),
      closest: Array.isArray(value.closest)
        ? value.closest.filter((c: unknown) => typeof c === 'string')
        : []
    }
  ];
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
