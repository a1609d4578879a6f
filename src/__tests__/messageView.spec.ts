/**
 * @jest-environment jsdom
 */
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { MessageRenderer } from '../chat/messageView';

// JupyterLab's rendermime is an ES module jest does not load; the model is plain data.
jest.mock('@jupyterlab/rendermime', () => ({
  MimeModel: class {
    constructor(options: object) {
      Object.assign(this, options);
    }
  }
}));
import { applyEvent, IChatMessage } from '../chat/state';

/** A Markdown renderer that writes each fenced block as a `pre` and the rest as text. */
const RENDERMIME = {
  createRenderer: () => {
    const node = document.createElement('div');
    return {
      node,
      renderModel: async (model: any) => {
        const text: string = model.data['text/markdown'];
        text.split(/```(\w*)\n([\s\S]*?)```/).forEach((part, index) => {
          if (index % 3 === 0) {
            node.append(part);
          } else if (index % 3 === 2) {
            const pre = node.appendChild(document.createElement('pre'));
            pre.appendChild(document.createElement('code')).textContent = part;
          }
        });
      }
    };
  }
} as unknown as IRenderMimeRegistry;

const TARGET = {
  copy: jest.fn(),
  insertBelow: jest.fn(),
  replaceSelection: jest.fn()
};

describe('MessageRenderer', () => {
  it("shows the rules' diagnosis first, before any token and above the model's text", async () => {
    const renderer = new MessageRenderer(RENDERMIME, TARGET);
    const message: IChatMessage = {
      role: 'assistant',
      text: '',
      streaming: true
    };
    applyEvent(message, {
      type: 'diagnosis',
      findings: [
        { rule: 'unknown column', message: '`amout` is not a column' }
      ],
      fix: {
        code: 't.amount.sum()',
        verdict: 'repaired',
        reason: 'renamed',
        unknown_names: [],
        sql: 'SELECT 1',
        original: 't.amout.sum()',
        change: '-t.amout.sum()\n+t.amount.sum()'
      }
    });
    const node = document.createElement('div');
    await renderer.render(node, message);
    expect(node.firstElementChild?.className).toBe('jp-IbisCopilot-diagnosis');
    expect(node.textContent).toContain('amout is not a column');
    expect(
      node.querySelector('[data-verdict]')?.getAttribute('data-verdict')
    ).toBe('repaired');

    applyEvent(message, { type: 'token', text: 'The column is `amount`.' });
    await renderer.render(node, message);
    expect(node.firstElementChild?.className).toBe('jp-IbisCopilot-diagnosis');
    expect(node.children[1].textContent).toBe('The column is `amount`.');
  });

  it("badges the answer's blocks only once the closing event judged them", async () => {
    const renderer = new MessageRenderer(RENDERMIME, TARGET);
    const message: IChatMessage = {
      role: 'assistant',
      text: '',
      streaming: true
    };
    const node = document.createElement('div');
    applyEvent(message, {
      type: 'token',
      text: 'Try:\n```python\nt.count()\n```\n'
    });
    await renderer.render(node, message);
    expect(
      node.querySelector('[data-verdict]')?.getAttribute('data-verdict')
    ).toBe('checking');
    applyEvent(message, {
      type: 'done',
      citations: [],
      blocks: [
        {
          code: 't.count()',
          verdict: 'not_checked',
          reason: 'the check timed out',
          unknown_names: [],
          sql: null,
          original: null,
          change: ''
        }
      ]
    });
    message.streaming = false;
    await renderer.render(node, message);
    const badge = node.querySelector('[data-verdict]');
    expect(badge?.getAttribute('data-verdict')).toBe('not_checked');
    expect(badge?.textContent).toContain('not checked: the check timed out');
    expect(node.textContent).not.toContain('✓');
  });

  it("shows the closing event's warnings as the answer's note", async () => {
    const renderer = new MessageRenderer(RENDERMIME, TARGET);
    const message: IChatMessage = { role: 'assistant', text: 'Hello. ' };
    applyEvent(message, {
      type: 'done',
      citations: [],
      warnings: ['the answer was cut where the model began repeating itself', 7]
    });
    const node = document.createElement('div');
    await renderer.render(node, message);
    expect(node.querySelector('.jp-IbisCopilot-note')?.textContent).toBe(
      'Note: the answer was cut where the model began repeating itself.'
    );
  });
});
