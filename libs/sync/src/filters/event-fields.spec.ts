import { projectEventFields } from './event-fields';

describe('event_fields (spec "Filtering")', () => {
  const event = {
    type: 'm.room.message',
    sender: '@ana:example.org',
    event_id: '$e',
    content: { body: 'hi', msgtype: 'm.text', 'm.relates_to': { rel_type: 'm.thread' } },
    'a.b': { c: 1 },
  };

  it('keeps only the listed fields, nested ones by dotted path', () => {
    expect(projectEventFields(event, ['type', 'content.body'])).toEqual({
      type: 'm.room.message',
      content: { body: 'hi' },
    });
    expect(projectEventFields(event, ['content.m\\.relates_to.rel_type'])).toEqual({
      content: { 'm.relates_to': { rel_type: 'm.thread' } },
    });
    expect(projectEventFields(event, ['a\\.b'])).toEqual({ 'a.b': { c: 1 } });
  });

  it('skips paths that do not exist or do not lead through objects', () => {
    expect(projectEventFields(event, ['state_key', 'content.body.length', 'content.nope'])).toEqual({});
  });
});
