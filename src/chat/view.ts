import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { ICodeTarget } from './codeActions';
import { MessageRenderer } from './messageView';
import { ChatChange, ChatSession } from './session';
import { IChatMessage } from './state';

/** A streaming answer is re-rendered at most this often. */
const RENDER_EVERY_MS = 100;

/**
 * The sidebar chat: renders a ChatSession (messages, status line, Send/Stop, the
 * schemas toggle) and forwards what the user does to it. No logic of its own.
 */
export class ChatView extends Widget {
  private nodes = new Map<IChatMessage, HTMLElement>();
  private pending = new Map<IChatMessage, ReturnType<typeof setTimeout>>();
  private renderer: MessageRenderer;
  private list: HTMLElement;
  private status: HTMLElement;
  private input: HTMLTextAreaElement;
  private sendButton: HTMLButtonElement;
  private contextToggle: HTMLInputElement;

  constructor(
    readonly session: ChatSession,
    rendermime: IRenderMimeRegistry,
    target: ICodeTarget
  ) {
    super();
    this.id = 'ibis-copilot-chat';
    this.addClass('jp-IbisCopilot-chat');
    this.title.caption = 'Ibis Copilot chat';
    this.renderer = new MessageRenderer(rendermime, target);

    const header = append(this.node, 'div', 'jp-IbisCopilot-chatHeader');
    const newButton = append(header, 'button', 'jp-IbisCopilot-new');
    newButton.textContent = 'New conversation';
    newButton.onclick = () => session.newConversation();
    const label = append(header, 'label', 'jp-IbisCopilot-context');
    this.contextToggle = append(label, 'input');
    this.contextToggle.type = 'checkbox';
    this.contextToggle.onchange = () =>
      (session.sendSchemas = this.contextToggle.checked);
    label.append(
      " Send the notebook's table schemas (names and types, no data)"
    );

    this.list = append(this.node, 'div', 'jp-IbisCopilot-messages');
    this.status = append(this.node, 'div', 'jp-IbisCopilot-chatStatus');
    this.status.setAttribute('role', 'status');
    const form = append(this.node, 'div', 'jp-IbisCopilot-inputRow');
    this.input = append(form, 'textarea', 'jp-IbisCopilot-input');
    this.input.placeholder =
      'Ask about Ibis… (Enter sends, Shift+Enter for a new line)';
    this.input.onkeydown = event => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        this.send();
      }
    };
    this.sendButton = append(form, 'button', 'jp-IbisCopilot-send');
    this.sendButton.onclick = () =>
      session.busy ? session.stop() : this.send();

    session.changed.connect(this.onChange, this);
    this.renderAll();
    this.renderBusy();
    this.renderStatus();
    this.renderSendSchemas();
  }

  /** Put the cursor in the question box. */
  focusInput(): void {
    this.input.focus();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.session.changed.disconnect(this.onChange, this);
    this.pending.forEach(timer => clearTimeout(timer));
    super.dispose();
  }

  private send(): void {
    const question = this.input.value.trim();
    if (!question || this.session.busy) {
      return;
    }
    this.input.value = '';
    void this.session.ask(question);
  }

  private onChange(_: ChatSession, change: ChatChange): void {
    switch (change.kind) {
      case 'reset':
        return this.renderAll();
      case 'added':
        return this.addMessage(change.message);
      case 'updated':
        return this.renderMessage(change.message);
      case 'busy':
        return this.renderBusy();
      case 'status':
        return this.renderStatus();
      case 'sendSchemas':
        return this.renderSendSchemas();
    }
  }

  private renderAll(): void {
    this.pending.forEach(timer => clearTimeout(timer));
    this.pending.clear();
    this.nodes.clear();
    this.list.replaceChildren();
    this.session.messages.forEach(message => this.addMessage(message));
  }

  private addMessage(message: IChatMessage): void {
    const node = this.renderer.create(message);
    this.nodes.set(message, node);
    this.list.appendChild(node);
    this.scrollToEnd();
  }

  /** Re-render a message: at once when it is complete, throttled while it streams. */
  private renderMessage(message: IChatMessage): void {
    const node = this.nodes.get(message);
    if (!node) {
      return; // from a conversation no longer shown
    }
    if (message.streaming) {
      if (!this.pending.has(message)) {
        const timer = setTimeout(() => {
          this.pending.delete(message);
          void this.renderer.render(node, message).then(this.scrollToEnd);
        }, RENDER_EVERY_MS);
        this.pending.set(message, timer);
      }
      return;
    }
    clearTimeout(this.pending.get(message));
    this.pending.delete(message);
    void this.renderer.render(node, message).then(this.scrollToEnd);
  }

  private renderBusy(): void {
    const busy = this.session.busy;
    this.sendButton.textContent = busy ? 'Stop' : 'Send';
    this.sendButton.dataset.busy = String(busy);
  }

  private renderStatus(): void {
    this.status.textContent = this.session.status;
    this.status.hidden = !this.session.status;
  }

  private renderSendSchemas(): void {
    this.contextToggle.checked = this.session.sendSchemas;
  }

  private scrollToEnd = (): void => {
    this.list.scrollTop = this.list.scrollHeight;
  };
}

function append<K extends keyof HTMLElementTagNameMap>(
  parent: HTMLElement,
  tag: K,
  className?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  parent.appendChild(node);
  return node;
}
