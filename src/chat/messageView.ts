import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';

import { ICodeTarget } from './codeActions';
import { citationLabel, IChatMessage, ICitation } from './state';
import { decorateCodeBlocks, diagnosisView } from './verdictView';

/**
 * Renders one message into its node: the rules' diagnosis (explain answers), Markdown
 * (never trusted), actions and verdict badges on the answers' code blocks, numbered
 * citations and the note saying why an answer ended early. Renders are asynchronous:
 * only the latest one for a node is shown.
 */
export class MessageRenderer {
  private generations = new WeakMap<HTMLElement, number>();

  constructor(
    private rendermime: IRenderMimeRegistry,
    private target: ICodeTarget
  ) {}

  /** A node for `message` (rendered asynchronously). */
  create(message: IChatMessage): HTMLElement {
    const node = document.createElement('div');
    node.className = `jp-IbisCopilot-message jp-IbisCopilot-${message.role}`;
    void this.render(node, message);
    return node;
  }

  /** Show the message as it is now. */
  async render(node: HTMLElement, message: IChatMessage): Promise<void> {
    const generation = (this.generations.get(node) ?? 0) + 1;
    this.generations.set(node, generation);
    const renderer = this.rendermime.createRenderer('text/markdown');
    const text = message.text || (message.streaming ? '…' : '');
    await renderer.renderModel(
      new MimeModel({ data: { 'text/markdown': text }, trusted: false })
    );
    if (this.generations.get(node) !== generation) {
      return; // a newer render of this node started meanwhile
    }
    node.replaceChildren(renderer.node);
    if (message.diagnosis) {
      node.prepend(diagnosisView(message.diagnosis, this.target));
    }
    if (message.role === 'assistant') {
      decorateCodeBlocks(
        renderer.node,
        message.blocks,
        !!message.streaming,
        this.target
      );
      if (message.citations?.length) {
        node.appendChild(citationList(message.citations));
      }
    }
    if (message.note) {
      const note = document.createElement('div');
      note.className = 'jp-IbisCopilot-note';
      note.textContent = message.note;
      node.appendChild(note);
    }
  }
}

function citationList(citations: ICitation[]): HTMLElement {
  const list = document.createElement('ol');
  list.className = 'jp-IbisCopilot-citations';
  for (const citation of citations) {
    const link = document.createElement('a');
    link.href = citation.url;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.textContent = citationLabel(citation);
    list.appendChild(document.createElement('li')).appendChild(link);
  }
  return list;
}
