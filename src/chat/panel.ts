import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { requestAPI } from '../api';
import { IServerStatus } from '../status';
import { IStreamEvent, streamAPI } from '../stream';
import {
  citationLabel,
  describeFailure,
  describeModel,
  IChatMessage,
  IChatState,
  ICitation
} from './state';

/** What the panel needs from the notebook side. */
export interface IChatHost {
  rendermime: IRenderMimeRegistry;
  /** Schemas of the active notebook's kernel ('' when none). */
  schemas(): Promise<string>;
  insertBelow(code: string): void;
  replaceSelection(code: string): void;
  /** Persist the conversation (it survives a page reload). */
  save(state: IChatState): void;
}

/** An explain request for a failing cell. */
export interface IErrorReport {
  code: string;
  error_type: string;
  message: string;
  traceback: string;
}

const RENDER_EVERY_MS = 100;

/**
 * The sidebar chat: streamed Markdown answers with numbered citations, actions on code
 * blocks, Stop, New conversation, and a status line that always says what is going on.
 */
export class ChatPanel extends Widget {
  private state: IChatState;
  private controller: AbortController | null = null;
  private list: HTMLElement;
  private status: HTMLElement;
  private input: HTMLTextAreaElement;
  private sendButton: HTMLButtonElement;
  private contextToggle: HTMLInputElement;

  constructor(
    private host: IChatHost,
    state: IChatState
  ) {
    super();
    this.state = state;
    this.id = 'ibis-copilot-chat';
    this.addClass('jp-IbisCopilot-chat');
    this.title.caption = 'Ibis Copilot chat';

    const header = append(this.node, 'div', 'jp-IbisCopilot-chatHeader');
    const newButton = append(
      header,
      'button',
      'jp-IbisCopilot-new'
    ) as HTMLButtonElement;
    newButton.textContent = 'New conversation';
    newButton.onclick = () => this.newConversation();
    const label = append(header, 'label', 'jp-IbisCopilot-context');
    this.contextToggle = append(label, 'input') as HTMLInputElement;
    this.contextToggle.type = 'checkbox';
    this.contextToggle.checked = true;
    label.append(
      " Send the notebook's table schemas (names and types, no data)"
    );

    this.list = append(this.node, 'div', 'jp-IbisCopilot-messages');
    this.status = append(this.node, 'div', 'jp-IbisCopilot-chatStatus');
    this.status.setAttribute('role', 'status');
    const form = append(this.node, 'div', 'jp-IbisCopilot-inputRow');
    this.input = append(
      form,
      'textarea',
      'jp-IbisCopilot-input'
    ) as HTMLTextAreaElement;
    this.input.placeholder =
      'Ask about Ibis… (Enter sends, Shift+Enter for a new line)';
    this.input.onkeydown = event => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        void this.send();
      }
    };
    this.sendButton = append(
      form,
      'button',
      'jp-IbisCopilot-send'
    ) as HTMLButtonElement;
    this.sendButton.onclick = () =>
      this.controller ? this.stop() : void this.send();
    this.setBusy(false);
    this.state.messages.forEach(message => this.renderMessage(message));
  }

  /** Whether the table schemas are sent with questions (the panel's toggle). */
  get sendSchemas(): boolean {
    return this.contextToggle.checked;
  }

  set sendSchemas(value: boolean) {
    this.contextToggle.checked = value;
  }

  /** Show a saved conversation (after a page reload). */
  restore(state: IChatState): void {
    if (this.state.messages.length === 0) {
      this.state = state;
      this.list.replaceChildren();
      state.messages.forEach(message => this.renderMessage(message));
    }
  }

  /** Put the cursor in the question box. */
  focusInput(): void {
    this.input.focus();
  }

  /** Ask the question typed in the box. */
  async send(): Promise<void> {
    const question = this.input.value.trim();
    if (!question || this.controller) {
      return;
    }
    this.input.value = '';
    await this.ask(question);
  }

  /** Ask `question` in the current conversation; the answer streams in. */
  async ask(question: string): Promise<void> {
    this.add({ role: 'user', text: question });
    const schemas = this.sendSchemas ? await this.host.schemas() : '';
    await this.stream(
      'chat',
      {
        messages: [{ role: 'user', content: question }],
        conversation_id: this.state.conversationId,
        schemas
      },
      done => {
        this.state.conversationId = (done.conversation_id as string) ?? null;
      }
    );
  }

  /** Explain a failing cell; the proposed fix comes as a code block to insert. */
  async explain(report: IErrorReport): Promise<void> {
    this.add({
      role: 'user',
      text: `Explain this error and fix the cell:\n\n\`\`\`python\n${report.code}\n\`\`\`\n\n**${report.error_type}**: ${report.message}`
    });
    const schemas = this.sendSchemas ? await this.host.schemas() : '';
    await this.stream('explain', { ...report, schemas }, () => undefined);
  }

  /** Show a ready Markdown answer (e.g. SQL compiled in the kernel). */
  showAnswer(question: string, markdown: string): void {
    this.add({ role: 'user', text: question });
    this.add({ role: 'assistant', text: markdown });
  }

  /** Cancel the answer being generated. */
  stop(): void {
    this.controller?.abort();
  }

  /** Forget the conversation (here and for the server's next question). */
  newConversation(): void {
    this.stop();
    this.state = { conversationId: null, messages: [] };
    this.list.replaceChildren();
    this.setStatus('');
    this.host.save(this.state);
  }

  private async stream(
    endpoint: string,
    body: object,
    onDone: (done: IStreamEvent) => void
  ): Promise<void> {
    const message: IChatMessage = {
      role: 'assistant',
      text: '',
      streaming: true
    };
    const node = this.add(message);
    this.controller = new AbortController();
    this.setBusy(true);
    const watcher = this.watchModel();
    let rendered = 0;
    try {
      await streamAPI(
        endpoint,
        body,
        event => {
          if (event.type === 'token') {
            message.text += event.text ?? '';
            watcher.stop();
            this.setStatus('');
            if (Date.now() - rendered > RENDER_EVERY_MS) {
              rendered = Date.now();
              void this.renderBody(node, message);
            }
          } else if (event.type === 'done') {
            message.citations = (event.citations as ICitation[]) ?? [];
            onDone(event);
          } else if (event.type === 'error') {
            message.note = `The model failed: ${event.error?.message ?? 'unknown error'}`;
          }
        },
        this.controller.signal
      );
      if (this.controller.signal.aborted) {
        message.note = 'Stopped.';
      }
    } catch (error) {
      message.note = describeFailure(error);
    } finally {
      watcher.stop();
      message.streaming = false;
      this.controller = null;
      this.setBusy(false);
      this.setStatus(
        message.note && message.note !== 'Stopped.' ? message.note : ''
      );
      await this.renderBody(node, message);
      this.host.save(this.state);
    }
  }

  /** Poll the model's state while waiting for the first token; say when it loads. */
  private watchModel(): { stop: () => void } {
    let stopped = false;
    const poll = async () => {
      while (!stopped) {
        try {
          const status = await requestAPI<IServerStatus>('status');
          const model = describeModel(status.model, Date.now() / 1000);
          if (!stopped) {
            this.setStatus(model.text || 'Thinking…');
          }
        } catch {
          // the request itself reports failures
        }
        await new Promise(resolve => setTimeout(resolve, 1000));
      }
    };
    this.setStatus('Thinking…');
    void poll();
    return { stop: () => (stopped = true) };
  }

  private add(message: IChatMessage): HTMLElement {
    this.state.messages.push(message);
    this.host.save(this.state);
    return this.renderMessage(message);
  }

  private renderMessage(message: IChatMessage): HTMLElement {
    const node = append(
      this.list,
      'div',
      `jp-IbisCopilot-message jp-IbisCopilot-${message.role}`
    );
    void this.renderBody(node, message);
    return node;
  }

  private async renderBody(
    node: HTMLElement,
    message: IChatMessage
  ): Promise<void> {
    const renderer = this.host.rendermime.createRenderer('text/markdown');
    const text = message.text || (message.streaming ? '…' : '');
    await renderer.renderModel(
      new MimeModel({ data: { 'text/markdown': text }, trusted: false })
    );
    node.replaceChildren(renderer.node);
    if (message.role === 'assistant') {
      renderer.node
        .querySelectorAll('pre')
        .forEach(pre => this.addCodeActions(pre));
      if (message.citations?.length) {
        node.appendChild(citationList(message.citations));
      }
    }
    if (message.note) {
      append(node, 'div', 'jp-IbisCopilot-note').textContent = message.note;
    }
    this.list.scrollTop = this.list.scrollHeight;
  }

  private addCodeActions(pre: HTMLElement): void {
    const code = pre.textContent ?? '';
    const bar = document.createElement('div');
    bar.className = 'jp-IbisCopilot-codeActions';
    const actions: [string, () => void][] = [
      ['Copy', () => void navigator.clipboard?.writeText(code)],
      ['Insert below', () => this.host.insertBelow(code)],
      ['Replace selection', () => this.host.replaceSelection(code)]
    ];
    for (const [label, run] of actions) {
      const button = append(
        bar,
        'button',
        'jp-IbisCopilot-codeAction'
      ) as HTMLButtonElement;
      button.textContent = label;
      button.onclick = run;
    }
    pre.before(bar);
  }

  private setBusy(busy: boolean): void {
    this.sendButton.textContent = busy ? 'Stop' : 'Send';
    this.sendButton.dataset.busy = String(busy);
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
    this.status.hidden = !text;
  }
}

function citationList(citations: ICitation[]): HTMLElement {
  const list = document.createElement('ol');
  list.className = 'jp-IbisCopilot-citations';
  for (const citation of citations) {
    const link = append(append(list, 'li'), 'a') as HTMLAnchorElement;
    link.href = citation.url;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.textContent = citationLabel(citation);
  }
  return list;
}

function append(
  parent: HTMLElement,
  tag: string,
  className?: string
): HTMLElement {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  parent.appendChild(node);
  return node;
}
