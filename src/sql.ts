import { Kernel, KernelMessage } from '@jupyterlab/services';

/** The Python that compiles `code` in the kernel, as `%%ibis_sql` does (a JSON string
 * is a valid Python string literal). */
export function showSqlCode(code: string): string {
  return (
    "__import__('ibis_copilot.kernel.magics', fromlist=['show_sql_report'])" +
    `.show_sql_report(get_ipython(), ${JSON.stringify(code)})`
  );
}

/**
 * Run the selection in the kernel and collect what it displays: the SQL for the
 * expression's backend and the dialect portability table, as Markdown (or the one-line
 * reason it could not compile).
 */
export async function compileInKernel(
  kernel: Kernel.IKernelConnection,
  code: string
): Promise<string> {
  const parts: string[] = [];
  const errors: string[] = [];
  const future = kernel.requestExecute({
    code: showSqlCode(code),
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
  const reason =
    errors.join('').trim() || 'the selection produced no Ibis expression';
  return `*Could not compile the selection:* ${reason}`;
}
