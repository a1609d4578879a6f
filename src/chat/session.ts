import { ISignal, Signal } from '@lumino/signaling';

import { IStreamEvent } from '../api';
import { requestContext } from '../context';
import { EMPTY_CONTEXT, INotebookContext, ITableInfo } from '../kernelContract';
import { LiveSettings } from '../settings';
import { IChatBackend, SERVER_BACKEND } from './backend';
import { watchModel } from './modelWatch';
import { IChatStore } from './store';
import {
  applyEvent,
  describeFailure,
  emptyState,
  IChatMessage,
  IChatState,
  IErrorReport,
  restoreState
} from './state';

/** What a request says about the notebook's tables (nothing when schemas are off). */
interface IRequestContext {
  schemas: string;
  tables: Record<string, ITableInfo>;
  imports: string[];
}

/** The note of an answer the user stopped. */
export const STOPPED_NOTE = 'Stopped.';

/** What changed in a session, for its views. */
export type ChatChange =
  /** The whole conversation was replaced (restored, or a new one). */
  | { kind: 'reset' }
  | { kind: 'added'; message: IChatMessage }
  /** A message's text, citations, note or streaming flag changed. */
  | { kind: 'updated'; message: IChatMessage }
  | { kind: 'busy' }
  | { kind: 'status' }
  | { kind: 'sendSchemas' };

export interface IChatSessionOptions {
  /** What the active notebook's kernel tells about its tables (empty when none). */
  context: () => Promise<INotebookContext>;
  store?: IChatStore;
  backend?: IChatBackend;
  /** How often the model's state is polled while waiting for the first token. */
  pollMs?: number;
}

/**
 * One chat conversation, without any DOM: the messages, sending questions and error
 * reports, streaming the answers into the messages, Stop, New conversation, the status
 * line's text, and saving the conversation so that it survives a page reload.
 * Views render it and listen to `changed`.
 */
export class ChatSession {
  private state: IChatState = emptyState();
  private controller: AbortController | null = null;
  private queue: Promise<void> = Promise.resolve();
  private statusText = '';
  private sendSchemasValue = true;
  private loaded = false;
  private changedSignal = new Signal<this, ChatChange>(this);

  constructor(private options: IChatSessionOptions) {}

  get changed(): ISignal<this, ChatChange> {
    return this.changedSignal;
  }

  get messages(): readonly IChatMessage[] {
    return this.state.messages;
  }

  get conversationId(): string | null {
    return this.state.conversationId;
  }

  /** True while an answer is being generated. */
  get busy(): boolean {
    return this.controller !== null;
  }

  /** What the status line says ('' when there is nothing to say). */
  get status(): string {
    return this.statusText;
  }

  /** Whether the notebook's table schemas are sent with questions. */
  get sendSchemas(): boolean {
    return this.sendSchemasValue;
  }

  set sendSchemas(value: boolean) {
    if (value !== this.sendSchemasValue) {
      this.sendSchemasValue = value;
      this.emit({ kind: 'sendSchemas' });
    }
  }

  /** Take `sendSchemas` from the settings now and whenever the user changes it there. */
  followSettings(settings: LiveSettings): void {
    let setting = settings.current.sendSchemas;
    this.sendSchemas = setting;
    settings.changed.connect((_, current) => {
      if (current.sendSchemas !== setting) {
        setting = current.sendSchemas;
        this.sendSchemas = setting;
      }
    });
  }

  /**
   * Show the saved conversation. Nothing is saved before it was read, so that an empty
   * panel never overwrites it; a conversation started in the meantime wins.
   */
  async load(): Promise<void> {
    const saved = await this.options.store?.load().catch(() => null);
    this.loaded = true;
    if (this.state.messages.length === 0) {
      this.state = restoreState(saved ?? null);
      this.emit({ kind: 'reset' });
    } else {
      this.save();
    }
  }

  /** Ask `question` in the current conversation; the answer streams in. */
  ask(question: string): Promise<void> {
    const text = question.trim();
    if (!text) {
      return Promise.resolve();
    }
    return this.enqueue(async () => {
      this.add({ role: 'user', text });
      const state = this.state;
      await this.stream(
        'chat',
        context => ({
          messages: [{ role: 'user', content: text }],
          conversation_id: state.conversationId,
          ...context
        }),
        done => {
          state.conversationId = (done.conversation_id as string) ?? null;
        }
      );
    });
  }

  /** Explain a failing cell; the proposed fix comes as a code block to insert. */
  explain(report: IErrorReport): Promise<void> {
    return this.enqueue(async () => {
      this.add({
        role: 'user',
        text: `Explain this error and fix the cell:\n\n\`\`\`python\n${report.code}\n\`\`\`\n\n**${report.error_type}**: ${report.message}`
      });
      await this.stream('explain', context => ({ ...report, ...context }));
    });
  }

  /** Show a ready Markdown answer (e.g. SQL compiled in the kernel). */
  showAnswer(question: string, markdown: string): void {
    this.add({ role: 'user', text: question });
    this.add({ role: 'assistant', text: markdown });
  }

  /** Cancel the answer being generated (it keeps what arrived, noted "Stopped."). */
  stop(): void {
    this.controller?.abort();
  }

  /** Forget the conversation (here and for the server's next question). */
  newConversation(): void {
    this.stop();
    this.state = emptyState();
    this.setStatus('');
    this.emit({ kind: 'reset' });
    this.save();
  }

  /** Run `work` after the answer in flight, which is stopped first. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.stop();
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async stream(
    endpoint: string,
    body: (context: IRequestContext) => object,
    onDone: (done: IStreamEvent) => void = () => undefined
  ): Promise<void> {
    const state = this.state;
    const current = () => this.state === state;
    const message: IChatMessage = {
      role: 'assistant',
      text: '',
      streaming: true
    };
    const controller = new AbortController();
    this.controller = controller;
    this.add(message);
    this.emit({ kind: 'busy' });
    const backend = this.options.backend ?? SERVER_BACKEND;
    const watch = watchModel(
      () => backend.model(),
      text => current() && this.setStatus(text),
      this.options.pollMs
    );
    const onEvent = (event: IStreamEvent) => {
      if (event.type === 'token' && !message.text) {
        watch.stop();
        this.setStatus('');
      }
      applyEvent(message, event);
      if (event.type === 'done') {
        onDone(event);
      }
      this.emit({ kind: 'updated', message });
    };
    try {
      // The schemas as text for the prompt, and as tables for checking the code.
      const context = this.sendSchemas
        ? await this.options.context().catch(() => EMPTY_CONTEXT)
        : EMPTY_CONTEXT;
      if (!controller.signal.aborted) {
        await backend.stream(
          endpoint,
          body(requestContext(context, this.sendSchemas)),
          onEvent,
          controller.signal
        );
      }
      if (controller.signal.aborted) {
        message.note = STOPPED_NOTE;
      }
    } catch (error) {
      message.note = describeFailure(error);
    } finally {
      watch.stop();
      message.streaming = false;
      this.controller = null;
      this.emit({ kind: 'busy' });
      if (current()) {
        const failed = message.note && message.note !== STOPPED_NOTE;
        this.setStatus(failed ? (message.note ?? '') : '');
      }
      this.emit({ kind: 'updated', message });
      this.save();
    }
  }

  private add(message: IChatMessage): void {
    this.state.messages.push(message);
    this.emit({ kind: 'added', message });
    this.save();
  }

  private setStatus(text: string): void {
    if (text !== this.statusText) {
      this.statusText = text;
      this.emit({ kind: 'status' });
    }
  }

  private save(): void {
    if (this.loaded && this.options.store) {
      this.options.store.save(this.state).catch(() => undefined);
    }
  }

  private emit(change: ChatChange): void {
    this.changedSignal.emit(change);
  }
}
