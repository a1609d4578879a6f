import { codeActions } from '../chat/codeActions';

describe('code block actions', () => {
  it('offers Copy, Insert below and Replace selection for the block', () => {
    const target = {
      copy: jest.fn(),
      insertBelow: jest.fn(),
      replaceSelection: jest.fn()
    };
    const actions = codeActions('t.filter(t.a > 1)', target);
    expect(actions.map(action => action.label)).toEqual([
      'Copy',
      'Insert below',
      'Replace selection'
    ]);
    actions.forEach(action => action.run());
    expect(target.copy).toHaveBeenCalledWith('t.filter(t.a > 1)');
    expect(target.insertBelow).toHaveBeenCalledWith('t.filter(t.a > 1)');
    expect(target.replaceSelection).toHaveBeenCalledWith('t.filter(t.a > 1)');
  });
});
