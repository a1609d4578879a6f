import { Kernel, KernelMessage, Session } from '@jupyterlab/services';

import {
  EMPTY_CONTEXT,
  ENABLE_SQL_MAGIC_CODE,
  INotebookContext,
  NOTEBOOK_CONTEXT_EXPRESSION,
  parseNotebookContext,
  showSqlCode
} from './kernelContract';

/**
 * The notebook context (Ibis tables: text and structured) of a notebook's kernel, read
 * with a silent `user_expressions` request (no cell runs, nothing enters history) and
 * cached until the kernel runs another cell. Kernels without ibis-copilot give an empty
 * context.
 */
export class KernelContext {
  private cache = new Map<string, Promise<INotebookContext>>();
  private watched = new WeakSet<Kernel.IKernelConnection>();

  /** The session kernel's context (empty when there is no kernel or it fails). */
  get(
    session: Session.ISessionConnection | null | undefined
  ): Promise<INotebookContext> {
    const kernel = session?.kernel;
    if (!kernel) {
      return Promise.resolve(EMPTY_CONTEXT);
    }
    this.watch(kernel);
    let cached = this.cache.get(kernel.id);
    if (!cached) {
      cached = readContext(kernel).catch(() => EMPTY_CONTEXT);
      this.cache.set(kernel.id, cached);
    }
    return cached;
  }

  private watch(kernel: Kernel.IKernelConnection): void {
    if (this.watched.has(kernel)) {
      return;
    }
    this.watched.add(kernel);
    kernel.iopubMessage.connect((_, message) => {
      if (message.header.msg_type === 'execute_input') {
        this.cache.delete(kernel.id); // a cell ran: the tables may have changed
      }
    });
  }
}

async function readContext(
  kernel: Kernel.IKernelConnection
): Promise<INotebookContext> {
  const future = kernel.requestExecute({
    code: '',
    silent: true,
    store_history: false,
    user_expressions: { ibis: NOTEBOOK_CONTEXT_EXPRESSION }
  });
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  const content = reply.content as KernelMessage.IExecuteReply & {
    user_expressions?: Record<string, any>;
  };
  const result = content.user_expressions?.ibis;
  if (result?.status !== 'ok') {
    return EMPTY_CONTEXT;
  }
  const json = result.data?.['application/json'];
  return parseNotebookContext(
    typeof json === 'string' ? JSON.parse(json) : json
  );
}

/** Register `%%ibis_sql` in the kernel, silently (before a visible `%%ibis_sql` cell). */
export async function enableSqlMagic(
  kernel: Kernel.IKernelConnection
): Promise<void> {
  await kernel.requestExecute({
    code: ENABLE_SQL_MAGIC_CODE,
    silent: true,
    store_history: false
  }).done;
}

/**
 * Compile the Ibis expression named `name` silently in the kernel (the contract's
 * `show_sql`, which only looks the name up) and collect what it displays: the SQL for
 * the expression's backend and the dialect portability table, as Markdown, or the
 * one-line reason it could not.
 */
export async function showSqlInKernel(
  kernel: Kernel.IKernelConnection,
  name: string
): Promise<string> {
  const parts: string[] = [];
  const errors: string[] = [];
  const future = kernel.requestExecute({
    code: showSqlCode(name),
    silent: true,
    store_history: false
  });
  future.onIOPub = message => {
    const type = message.header.msg_type;
    if (type === 'display_data') {
      const data = (message as KernelMessage.IDisplayDataMsg).content.data;
      parts.push(String(data['text/markdown'] ?? data['text/plain'] ?? ''));
    } else if (type === 'stream') {
      const content = (message as KernelMessage.IStreamMsg).content;
      if (content.name === 'stderr') {
        errors.push(content.text);
      }
    } else if (type === 'error') {
      const content = (message as KernelMessage.IErrorMsg).content;
      errors.push(`${content.ename}: ${content.evalue}`);
    }
  };
  await future.done;
  if (parts.length) {
    return parts.join('\n\n');
  }
  const reason = errors.join('').trim() || `\`${name}\` showed no SQL`;
  return `*Could not compile \`${name}\`:* ${reason}`;
}
