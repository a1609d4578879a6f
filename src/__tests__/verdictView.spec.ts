/**
 * @jest-environment jsdom
 */
import { IBlockVerdict } from '../chat/verdicts';
import {
  decorateCodeBlocks,
  diagnosisView,
  verdictBadge
} from '../chat/verdictView';

const REPAIRED: IBlockVerdict = {
  code: 't.amount.sum()',
  verdict: 'repaired',
  reason: '`amout` is not a column; did you mean `amount`?',
  unknown_names: [],
  sql: 'SELECT SUM("t0"."amount") FROM "orders" AS "t0"',
  original: 't.amout.sum()',
  change: '--- written\n+++ repaired\n-t.amout.sum()\n+t.amount.sum()'
};

const NOT_CHECKED: IBlockVerdict = {
  code: 't.amout.sum()',
  verdict: 'not_checked',
  reason: "run: AttributeError: 'Table' object has no attribute 'amout'",
  unknown_names: [{ name: 't.amout', kind: 'column', closest: ['amount'] }],
  sql: 'SELECT 1',
  original: null,
  change: ''
};

const CHECKED: IBlockVerdict = {
  code: 't.count()',
  verdict: 'checked',
  reason: '',
  unknown_names: [],
  sql: 'SELECT COUNT(*) FROM "orders"',
  original: null,
  change: ''
};

function target() {
  return {
    copy: jest.fn(),
    insertBelow: jest.fn(),
    replaceSelection: jest.fn()
  };
}

/** A rendered answer: one `pre` per block, as the Markdown renderer writes them. */
function answer(...blocks: [string, string][]): HTMLElement {
  const root = document.createElement('div');
  for (const [language, code] of blocks) {
    const pre = root.appendChild(document.createElement('pre'));
    const element = pre.appendChild(document.createElement('code'));
    if (language) {
      element.className = `language-${language}`;
    }
    element.textContent = code + '\n';
  }
  return root;
}

function badges(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll('.jp-IbisCopilot-verdict'));
}

function click(root: HTMLElement, label: string, index = 0): void {
  const buttons = Array.from(root.querySelectorAll('button')).filter(
    button => button.textContent === label
  );
  buttons[index].click();
}

describe('verdict badges', () => {
  it('says checked, and shows the compiled SQL on demand', () => {
    const node = verdictBadge(CHECKED);
    expect(node.dataset.verdict).toBe('checked');
    expect(node.textContent).toContain('✓ checked');
    const sql = node.querySelector('details');
    expect(sql?.open).toBe(false);
    expect(sql?.textContent).toContain('SELECT COUNT(*) FROM "orders"');
  });

  it('never says checked for a block that is not checked', () => {
    const node = verdictBadge(NOT_CHECKED);
    expect(node.dataset.verdict).toBe('not_checked');
    expect(
      node.querySelector('.jp-IbisCopilot-verdictLabel')?.textContent
    ).toBe('not checked');
    expect(node.textContent).toContain(
      "not checked: run: AttributeError: 'Table' object has no attribute 'amout'"
    );
    expect(node.textContent).not.toContain('✓');
    expect(node.textContent).not.toMatch(/(^|[^t] )checked/);
    // No SQL for code that did not check, even when some came.
    expect(node.textContent).not.toContain('SELECT 1');
    expect(
      node.querySelector('.jp-IbisCopilot-unknownNames')?.textContent
    ).toBe('t.amout is not a column — closest: amount');
    expect(
      node.querySelector('.jp-IbisCopilot-unknownNames code')?.textContent
    ).toBe('t.amout');
  });

  it('shows what a repair changed', () => {
    const node = verdictBadge(REPAIRED);
    expect(node.dataset.verdict).toBe('repaired');
    expect(node.textContent).toContain(
      'repaired: amout is not a column; did you mean amount?'
    );
    const change = node.querySelector('details[open]');
    expect(change?.textContent).toContain('+t.amount.sum()');
    expect(node.textContent).not.toContain('✓');
  });
});

describe('decorating an answer', () => {
  it('puts the actions above and the verdict below each block it belongs to', () => {
    const root = answer(
      ['python', 't.count()'],
      ['sql', 'SELECT 1'],
      ['', 't.amout.sum()']
    );
    decorateCodeBlocks(root, [CHECKED, NOT_CHECKED], false, target());
    const pres = root.querySelectorAll(':scope > pre');
    expect(pres[0].nextElementSibling?.getAttribute('data-verdict')).toBe(
      'checked'
    );
    expect(
      pres[1].nextElementSibling?.classList.contains('jp-IbisCopilot-verdict')
    ).toBe(false);
    expect(badges(root)).toHaveLength(2);
    expect(pres[2].nextElementSibling?.getAttribute('data-verdict')).toBe(
      'not_checked'
    );
    expect(root.querySelectorAll('.jp-IbisCopilot-codeActions')).toHaveLength(
      3
    );
  });

  it("shows the model's checked revision of a failed block, labelled, with its own actions", () => {
    const root = answer(['python', 't.amout.sum()']);
    const actions = target();
    const revised = { ...CHECKED, code: 't.amount.sum()', rounds: 2 };
    decorateCodeBlocks(root, [{ ...NOT_CHECKED, revised }], false, actions);
    const verdicts = Array.from(badges(root)).map(b =>
      b.getAttribute('data-verdict')
    );
    expect(verdicts).toEqual(['not_checked', 'checked']);
    const revision = root.querySelector('.jp-IbisCopilot-revision')!;
    expect(revision.textContent).toContain(
      'Revised by the model after the check failed (round 2)'
    );
    const insert = Array.from(revision.querySelectorAll('button')).find(
      button => button.textContent === 'Insert below'
    )!;
    insert.click();
    expect(actions.insertBelow).toHaveBeenCalledWith('t.amount.sum()');
  });

  it("makes a repaired block's Copy and Insert use the repaired code", () => {
    const root = answer(['python', 't.amout.sum()']);
    const actions = target();
    decorateCodeBlocks(root, [REPAIRED], false, actions);
    click(root, 'Insert below');
    click(root, 'Copy');
    click(root, 'Replace selection');
    expect(actions.insertBelow).toHaveBeenCalledWith('t.amount.sum()');
    expect(actions.copy).toHaveBeenCalledWith('t.amount.sum()');
    expect(actions.replaceSelection).toHaveBeenCalledWith('t.amount.sum()');
  });

  it('says checking… while the answer streams, never checked', () => {
    const root = answer(['python', 't.count()'], ['sql', 'SELECT 1']);
    decorateCodeBlocks(root, undefined, true, target());
    expect(badges(root).map(node => node.dataset.verdict)).toEqual([
      'checking'
    ]);
    expect(root.textContent).toContain('checking…');
    expect(root.textContent).not.toContain('✓');
  });

  it('says nothing about blocks without a verdict once the answer ended', () => {
    const root = answer(['python', 't.count()']);
    decorateCodeBlocks(root, undefined, false, target());
    expect(badges(root)).toEqual([]);
    const judged = answer(['python', 'not judged']);
    decorateCodeBlocks(judged, [CHECKED], false, target());
    expect(badges(judged)).toEqual([]);
  });
});

describe('the explain diagnosis', () => {
  it('lists the findings and offers the fix with its verdict', () => {
    const actions = target();
    const node = diagnosisView(
      {
        findings: [
          {
            rule: 'unknown column',
            message: '`amout` is not a column; did you mean `amount`?'
          }
        ],
        fix: REPAIRED
      },
      actions
    );
    expect(node.querySelector('.jp-IbisCopilot-findings')?.textContent).toBe(
      'amout is not a column; did you mean amount?'
    );
    expect(node.querySelector('pre')?.textContent).toBe('t.amount.sum()');
    expect(
      node
        .querySelector('.jp-IbisCopilot-verdict')
        ?.getAttribute('data-verdict')
    ).toBe('repaired');
    click(node, 'Insert below');
    expect(actions.insertBelow).toHaveBeenCalledWith('t.amount.sum()');
  });

  it('says when no rule matched', () => {
    const node = diagnosisView({ findings: [], fix: null }, target());
    expect(node.textContent).toContain('No rule matched this error.');
    expect(node.querySelector('pre')).toBeNull();
  });
});
