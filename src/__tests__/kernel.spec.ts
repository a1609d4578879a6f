import { Signal } from '@lumino/signaling';

import { KernelContext, showSqlInKernel } from '../kernel';
import { NOTEBOOK_CONTEXT_EXPRESSION, showSqlCode } from '../kernelContract';

/** A kernel connection that answers execute requests with `reply` and `iopub`. */
class FakeKernel {
  id = 'k1';
  iopubMessage = new Signal<this, any>(this);
  requests: any[] = [];

  constructor(
    private reply: (request: any) => any,
    private iopub: any[] = []
  ) {}

  requestExecute(request: any) {
    this.requests.push(request);
    const future: any = { onIOPub: () => undefined };
    future.done = Promise.resolve().then(() => {
      this.iopub.forEach(message => future.onIOPub(message));
      return { content: this.reply(request) };
    });
    return future;
  }

  /** What the kernel broadcasts when a cell runs. */
  runCell(): void {
    this.iopubMessage.emit({ header: { msg_type: 'execute_input' } });
  }
}

const CONTEXT_JSON = {
  schemas: 't (orders): a int64',
  tables: { t: { name: 'orders', schema: { a: 'int64' } } },
  imports: ['import ibis.selectors as s']
};

function answering(json: unknown) {
  return () => ({
    status: 'ok',
    user_expressions: {
      ibis: { status: 'ok', data: { 'application/json': json } }
    }
  });
}

describe('KernelContext', () => {
  it('reads the context silently through the contract, and caches it', async () => {
    const kernel = new FakeKernel(answering(CONTEXT_JSON));
    const context = new KernelContext();
    const session = { kernel } as any;
    expect(await context.get(session)).toEqual(CONTEXT_JSON);
    expect(kernel.requests).toEqual([
      {
        code: '',
        silent: true,
        store_history: false,
        user_expressions: { ibis: NOTEBOOK_CONTEXT_EXPRESSION }
      }
    ]);
    await context.get(session);
    expect(kernel.requests).toHaveLength(1);
    kernel.runCell(); // the tables may have changed
    await context.get(session);
    expect(kernel.requests).toHaveLength(2);
  });

  it('is empty without a kernel, or when the kernel lacks ibis-copilot', async () => {
    const context = new KernelContext();
    expect(await context.get(null)).toEqual({
      schemas: '',
      tables: {},
      imports: []
    });
    const kernel = new FakeKernel(() => ({
      status: 'ok',
      user_expressions: { ibis: { status: 'error', ename: 'ImportError' } }
    }));
    expect(await context.get({ kernel } as any)).toEqual({
      schemas: '',
      tables: {},
      imports: []
    });
  });
});

describe('showSqlInKernel', () => {
  it('runs only the contract call, silently, and collects the Markdown shown', async () => {
    const kernel = new FakeKernel(
      () => ({ status: 'ok' }),
      [
        {
          header: { msg_type: 'display_data' },
          content: { data: { 'text/markdown': '```sql\nSELECT 1\n```' } }
        },
        {
          header: { msg_type: 'display_data' },
          content: { data: { 'text/markdown': 'Compiles for **1 of 1**' } }
        }
      ]
    );
    const markdown = await showSqlInKernel(kernel as any, 'views.big');
    expect(kernel.requests).toEqual([
      { code: showSqlCode('views.big'), silent: true, store_history: false }
    ]);
    expect(markdown).toBe('```sql\nSELECT 1\n```\n\nCompiles for **1 of 1**');
  });

  it("gives the kernel's one-line reason when nothing compiles", async () => {
    const kernel = new FakeKernel(
      () => ({ status: 'ok' }),
      [
        {
          header: { msg_type: 'stream' },
          content: {
            name: 'stderr',
            text: "ibis_sql: 'n' is a int, not an Ibis expression\n"
          }
        }
      ]
    );
    expect(await showSqlInKernel(kernel as any, 'n')).toBe(
      "*Could not compile `n`:* ibis_sql: 'n' is a int, not an Ibis expression"
    );
  });
});
