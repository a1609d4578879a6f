import { codeActionBar, ICodeTarget } from './codeActions';
import {
  actionCode,
  IBlockVerdict,
  IDiagnosis,
  IRevision,
  isPythonLanguage,
  matchBlocks,
  unknownNameText
} from './verdicts';

/**
 * The verdict badges under an answer's code blocks, and the explain diagnosis (the
 * rules' findings and fix). Every state is said in words; colour only repeats it. Only
 * a verdict from the server's closing event says "checked": a block still streaming
 * says "checking…", one without a verdict says nothing.
 */

/** What each verdict's badge says (the icon is decoration, hidden from readers). */
const BADGES = {
  checked: {
    icon: '✓',
    label: 'checked',
    title:
      "Built from the notebook's table schemas and compiled to SQL in a separate " +
      'check process; nothing ran on data.'
  },
  repaired: {
    icon: '✎',
    label: 'repaired',
    title:
      'It failed as written; the rules changed it and the changed code checked. ' +
      'Copy and Insert use the repaired code.'
  },
  not_checked: {
    icon: '⚠',
    label: 'not checked',
    title: 'Not verified: read it before you run it.'
  },
  checking: {
    icon: '…',
    label: 'checking…',
    title: 'The code is checked when the answer is complete.'
  }
};

/**
 * Under `root` (a rendered answer): the actions above each code block, and its badge
 * below it. `blocks` are the closing event's verdicts (undefined before it came).
 */
export function decorateCodeBlocks(
  root: HTMLElement,
  blocks: IBlockVerdict[] | undefined,
  streaming: boolean,
  target: ICodeTarget
): void {
  const pres = Array.from(root.querySelectorAll('pre'));
  const shown = pres.map(pre => pre.textContent ?? '');
  const verdicts = matchBlocks(shown, blocks ?? []);
  pres.forEach((pre, index) => {
    const verdict = verdicts[index];
    pre.before(codeActionBar(actionCode(shown[index], verdict), target));
    if (verdict) {
      const badge = verdictBadge(verdict);
      pre.after(badge);
      if (verdict.revised) {
        badge.after(revisionView(verdict.revised, target));
      }
    } else if (streaming && blocks === undefined && isPythonBlock(pre)) {
      pre.after(checkingBadge());
    }
  });
}

/** The badge of a verdict: what it is, why, the unknown names, the SQL or the change. */
export function verdictBadge(block: IBlockVerdict): HTMLElement {
  const node = badge(block.verdict);
  if (block.reason) {
    const reason = element('span', 'jp-IbisCopilot-verdictReason');
    reason.append(': ', ...inlineCode(block.reason));
    node.firstElementChild?.appendChild(reason);
  }
  if (block.verdict === 'repaired') {
    const hint = element('div', 'jp-IbisCopilot-verdictHint');
    hint.textContent =
      'Copy, Insert below and Replace selection use the repaired code.';
    node.appendChild(hint);
  }
  if (block.unknown_names.length) {
    const list = element('ul', 'jp-IbisCopilot-unknownNames');
    for (const unknown of block.unknown_names) {
      const item = list.appendChild(element('li'));
      item.append(
        codeElement(unknown.name),
        unknownNameText(unknown).slice(unknown.name.length)
      );
    }
    node.appendChild(list);
  }
  if (block.verdict === 'repaired' && block.change) {
    node.appendChild(details('What the rules changed', block.change, true));
  }
  if (block.verdict !== 'not_checked' && block.sql) {
    node.appendChild(details('Compiled SQL', block.sql, false));
  }
  return node;
}

/**
 * The model's revision of a block that failed its check: labelled as such, with its own
 * actions and its own verdict (only revisions that checked are sent).
 */
export function revisionView(
  revision: IRevision,
  target: ICodeTarget
): HTMLElement {
  const node = element('section', 'jp-IbisCopilot-revision');
  const title = node.appendChild(
    element('div', 'jp-IbisCopilot-diagnosisTitle')
  );
  title.textContent = `Revised by the model after the check failed (round ${revision.rounds})`;
  node.appendChild(codeActionBar(revision.code, target));
  const pre = node.appendChild(element('pre', 'jp-IbisCopilot-fix'));
  pre.appendChild(codeElement(revision.code)).className = 'language-python';
  node.appendChild(verdictBadge({ ...revision, revised: null }));
  return node;
}

/** The badge of a block whose answer is still streaming. */
export function checkingBadge(): HTMLElement {
  return badge('checking');
}

/**
 * The rules' diagnosis of a failing cell, shown above the model's explanation: the
 * findings, then the fix (with its actions and verdict), or that no rule matched.
 */
export function diagnosisView(
  diagnosis: IDiagnosis,
  target: ICodeTarget
): HTMLElement {
  const node = element('section', 'jp-IbisCopilot-diagnosis');
  node.setAttribute('aria-label', 'What the rules found');
  const title = node.appendChild(
    element('div', 'jp-IbisCopilot-diagnosisTitle')
  );
  title.textContent = 'What the rules found';
  if (diagnosis.findings.length) {
    const list = node.appendChild(element('ul', 'jp-IbisCopilot-findings'));
    for (const finding of diagnosis.findings) {
      const item = list.appendChild(element('li'));
      item.append(...inlineCode(finding.message));
      if (finding.rule) {
        item.title = `rule: ${finding.rule}`;
      }
    }
  } else {
    const none = node.appendChild(element('div', 'jp-IbisCopilot-findings'));
    none.textContent = 'No rule matched this error.';
  }
  const fix = diagnosis.fix;
  if (fix) {
    const heading = node.appendChild(
      element('div', 'jp-IbisCopilot-diagnosisTitle')
    );
    heading.textContent = "The rules' fix";
    node.appendChild(codeActionBar(fix.code, target));
    const pre = node.appendChild(element('pre', 'jp-IbisCopilot-fix'));
    pre.appendChild(codeElement(fix.code)).className = 'language-python';
    node.appendChild(verdictBadge(fix));
  }
  return node;
}

/** True for a rendered block of Python or of no language (those the server judges). */
function isPythonBlock(pre: HTMLElement): boolean {
  const className = pre.querySelector('code')?.className ?? '';
  const language = /(?:^|\s)language-(\S+)/.exec(className)?.[1] ?? '';
  return isPythonLanguage(language);
}

function badge(kind: keyof typeof BADGES): HTMLElement {
  const { icon, label, title } = BADGES[kind];
  const node = element('div', 'jp-IbisCopilot-verdict');
  node.dataset.verdict = kind;
  node.title = title;
  const line = node.appendChild(element('div', 'jp-IbisCopilot-verdictLine'));
  const mark = line.appendChild(element('span', 'jp-IbisCopilot-verdictIcon'));
  mark.textContent = icon;
  mark.setAttribute('aria-hidden', 'true');
  line.append(' ');
  const text = line.appendChild(element('span', 'jp-IbisCopilot-verdictLabel'));
  text.textContent = label;
  return node;
}

function details(summary: string, text: string, open: boolean): HTMLElement {
  const node = element('details', 'jp-IbisCopilot-verdictDetails');
  node.open = open;
  node.appendChild(element('summary')).textContent = summary;
  node.appendChild(element('pre')).textContent = text;
  return node;
}

/** `text` with its `backticked` parts as code elements (text only, never HTML). */
function inlineCode(text: string): (string | HTMLElement)[] {
  return text
    .split(/(`[^`]+`)/)
    .filter(Boolean)
    .map(part =>
      part.length > 2 && part.startsWith('`') && part.endsWith('`')
        ? codeElement(part.slice(1, -1))
        : part
    );
}

function codeElement(text: string): HTMLElement {
  const code = element('code');
  code.textContent = text;
  return code;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  return node;
}
