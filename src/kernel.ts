import { Kernel, KernelMessage, Session } from '@jupyterlab/services';

import { SCHEMA_EXPRESSION } from './context';

/**
 * The Ibis table schemas of a notebook's kernel, read with a silent `user_expressions`
 * request (no cell runs, nothing enters history) and cached until the kernel runs
 * another cell. Kernels without ibis-copilot give an empty string.
 */
export class KernelSchemas {
  private cache = new Map<string, Promise<string>>();
  private watched = new WeakSet<Kernel.IKernelConnection>();

  /** The schemas of the session's kernel ('' when there is none or it is busy elsewhere). */
  get(session: Session.ISessionConnection | null | undefined): Promise<string> {
    const kernel = session?.kernel;
    if (!kernel) {
      return Promise.resolve('');
    }
    this.watch(kernel);
    let cached = this.cache.get(kernel.id);
    if (!cached) {
      cached = read(kernel).catch(() => '');
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

async function read(kernel: Kernel.IKernelConnection): Promise<string> {
  const future = kernel.requestExecute({
    code: '',
    silent: true,
    store_history: false,
    user_expressions: { ibis: SCHEMA_EXPRESSION }
  });
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  const content = reply.content as KernelMessage.IExecuteReply & {
    user_expressions?: Record<string, any>;
  };
  const result = content.user_expressions?.ibis;
  if (result?.status !== 'ok') {
    return '';
  }
  return String(result.data?.['application/json']?.schemas ?? '');
}
