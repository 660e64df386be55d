import { WaitPoints } from './wait-points';

/** Where a device's last /sync answer left off, for its next long poll to wait from. */
describe('WaitPoints', () => {
  const point = { mark: 7, watched: ['!lobby:hearth.test'] };

  afterEach(() => {
    jest.useRealTimers();
  });

  it("resumes only the device's own last token", () => {
    const points = new WaitPoints();
    points.keep('@ana:hearth.test', 'PHONE', 's5_0', point);
    expect(points.resume('@ana:hearth.test', 'PHONE', 's5_0')).toMatchObject(point);
    expect(points.resume('@ana:hearth.test', 'PHONE', 's4_0')).toBeUndefined();
    expect(points.resume('@ana:hearth.test', 'LAPTOP', 's5_0')).toBeUndefined();
    points.keep('@ana:hearth.test', 'PHONE', 's6_0', { mark: 9, watched: [] });
    expect(points.resume('@ana:hearth.test', 'PHONE', 's5_0')).toBeUndefined();
  });

  it('lets a point go stale well before the notifier forgets what it was told', () => {
    jest.useFakeTimers();
    const points = new WaitPoints();
    points.keep('@ana:hearth.test', 'PHONE', 's5_0', point);
    jest.advanceTimersByTime(31_000);
    expect(points.resume('@ana:hearth.test', 'PHONE', 's5_0')).toBeUndefined();
  });
});
