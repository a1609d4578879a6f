import { applyEvent, IChatMessage, restoreState } from '../chat/state';
import {
  actionCode,
  IBlockVerdict,
  matchBlocks,
  normalise,
  parseBlocks,
  parseDiagnosis,
  unknownNameText
} from '../chat/verdicts';

function verdict(
  code: string,
  extra: Partial<IBlockVerdict> = {}
): IBlockVerdict {
  return {
    code,
    verdict: 'checked',
    reason: '',
    unknown_names: [],
    sql: 'SELECT 1',
    original: null,
    change: '',
    ...extra
  };
}

describe('matching verdicts to rendered code blocks', () => {
  it('pairs each verdict with the block that shows its code, in order', () => {
    const a = verdict('t.count()');
    const b = verdict('t.amount.sum()');
    expect(
      matchBlocks(['t.count()\n', 'SELECT 1\n', 't.amount.sum()\n'], [a, b])
    ).toEqual([a, null, b]);
  });

  it('finds a repaired block by the code as written', () => {
    const repaired = verdict('t.amount.sum()', {
      verdict: 'repaired',
      original: 't.amout.sum()'
    });
    expect(matchBlocks(['t.amout.sum()'], [repaired])).toEqual([repaired]);
    expect(matchBlocks(['t.amount.sum()'], [repaired])).toEqual([null]);
  });

  it('skips a verdict no block shows, without shifting the next ones', () => {
    const lost = verdict('not rendered');
    const next = verdict('t.count()');
    expect(matchBlocks(['x = 1', 't.count()'], [lost, next])).toEqual([
      null,
      next
    ]);
  });

  it('keeps identical blocks apart, in order', () => {
    const first = verdict('t.count()', { verdict: 'not_checked', sql: null });
    const second = verdict('t.count()');
    expect(matchBlocks(['t.count()', 't.count()'], [first, second])).toEqual([
      first,
      second
    ]);
  });

  it('ignores indentation, trailing spaces and blank edge lines', () => {
    expect(normalise('\n   a = 1  \n     b\n\n')).toBe('a = 1\n  b');
  });
});

describe('reading verdicts', () => {
  it('reads blocks leniently and drops malformed ones', () => {
    const blocks = parseBlocks([
      {
        code: 'x',
        verdict: 'not_checked',
        reason: 'refused',
        unknown_names: [
          { name: 't.amout', kind: 'column', closest: ['amount', 3] },
          { kind: 'no name' }
        ],
        sql: null,
        original: null,
        change: ''
      },
      { code: 'y', verdict: 'verified' },
      'junk'
    ]);
    expect(blocks).toEqual([
      {
        code: 'x',
        verdict: 'not_checked',
        reason: 'refused',
        unknown_names: [
          { name: 't.amout', kind: 'column', closest: ['amount'] }
        ],
        sql: null,
        original: null,
        change: ''
      }
    ]);
    expect(parseBlocks(undefined)).toEqual([]);
  });

  it('says what an unknown name is and what is closest', () => {
    expect(
      unknownNameText({ name: 't.amout', kind: 'column', closest: ['amount'] })
    ).toBe('t.amout is not a column — closest: amount');
    expect(
      unknownNameText({ name: 'ibis.foo', kind: 'ibis function', closest: [] })
    ).toBe('ibis.foo is not an ibis function');
  });

  it('uses the repaired code for the actions of a repaired block only', () => {
    const repaired = verdict('fixed', {
      verdict: 'repaired',
      original: 'broken'
    });
    expect(actionCode('broken', repaired)).toBe('fixed');
    expect(actionCode('shown', verdict('other'))).toBe('shown');
    expect(actionCode('shown', null)).toBe('shown');
  });
});

describe('verdicts in the conversation state', () => {
  it('keeps the diagnosis from before the first token, and the blocks from done', () => {
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
      fix: null
    });
    expect(message.diagnosis).toEqual({
      findings: [
        { rule: 'unknown column', message: '`amout` is not a column' }
      ],
      fix: null
    });
    expect(message.blocks).toBeUndefined();
    applyEvent(message, { type: 'token', text: '```python\nx\n```' });
    applyEvent(message, {
      type: 'done',
      citations: [],
      blocks: [verdict('x')]
    });
    expect(message.blocks).toEqual([verdict('x')]);
    expect(message.diagnosis?.findings).toHaveLength(1);
  });

  it('restores saved verdicts, dropping malformed ones', () => {
    const state = restoreState({
      conversationId: null,
      messages: [
        {
          role: 'assistant',
          text: 'a',
          blocks: [verdict('x'), { code: 1 }],
          diagnosis: { findings: 'nope', fix: verdict('y') }
        }
      ]
    });
    expect(state.messages[0].blocks).toEqual([verdict('x')]);
    expect(state.messages[0].diagnosis).toEqual(
      parseDiagnosis({ findings: [], fix: verdict('y') })
    );
  });
});
