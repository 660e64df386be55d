import { dispositionName } from './disposition-name';

describe('dispositionName', () => {
  it.each([
    ['inline; filename="note.txt"', 'note.txt'],
    ['attachment; filename=report.pdf', 'report.pdf'],
    ["inline; filename*=utf-8''na%C3%AFve.txt", 'naïve.txt'],
    ['inline; filename="a\\"b"', 'a"b'],
    ['inline', null],
    [undefined, null],
    ["inline; filename*=utf-8''%E0%A4%A", null],
    ['inline; filename="bad\u0001name"', null],
  ])('%s', (header, expected) => {
    expect(dispositionName(header)).toBe(expected);
  });
});
