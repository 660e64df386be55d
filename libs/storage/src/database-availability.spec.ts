import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DatabaseBusyError } from './database-busy';
import { DatabaseAvailability, DatabaseUnavailableError, isConnectionFailure } from './database-availability';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionFailure', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    [
      'a refused connection to every address of a name (AggregateError)',
      Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), { code: 'ECONNREFUSED' }),
    ],
    ['a reset connection', withCode('ECONNRESET')],
    ['a socket closed under a query', new Error('Connection terminated unexpectedly')],
    ['a connect that timed out in pg', new Error('Connection terminated due to connection timeout')],
    [
      'a client used after its connection failed',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    [
      'an admin shutdown (57P01, pg_ctl stop -m fast or pg_terminate_backend)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['a crash shutdown (57P02)', withCode('57P02')],
    ['a server starting up or shutting down (57P03)', withCode('57P03', 'the database system is shutting down')],
    ['too many connections (53300)', withCode('53300')],
    ['a connection exception (class 08)', withCode('08006')],
    [
      'any of these wrapped by TypeORM (driverError)',
      Object.assign(new Error('query failed'), { driverError: withCode('57P01') }),
    ],
    ['any of these as a cause', new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') })],
  ])('recognises %s', (_name, error) => {
    expect(isConnectionFailure(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a syntax error', withCode('42601')],
    ['a prepared statement clash', withCode('42P05')],
    ['a plain error', new Error('boom')],
    ['a non-error', 'Connection terminated'],
  ])('leaves %s alone', (_name, error) => {
    expect(isConnectionFailure(error)).toBe(false);
  });
});

describe('DatabaseAvailability', () => {
  let warn: jest.SpyInstance;
  let info: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    info = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers a lost database with DatabaseUnavailableError, warning once until a probe query succeeds', async () => {
    jest.useFakeTimers();
    try {
      let up = false;
      const availability = new DatabaseAvailability({
        query: () => (up ? Promise.resolve([]) : Promise.reject(new Error('Connection terminated unexpectedly'))),
      } as unknown as DataSource);
      for (let i = 0; i < 5; i++)
        expect(availability.translate(withCode('ECONNREFUSED'))).toBeInstanceOf(DatabaseUnavailableError);
      expect(warn).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(3000);
      expect(info).not.toHaveBeenCalled();
      up = true;
      await jest.advanceTimersByTimeAsync(1000);
      expect(info).toHaveBeenCalledWith(expect.stringMatching(/reachable again .*5 requests answered 503/));
      availability.translate(withCode('57P01'));
      expect(warn).toHaveBeenCalledTimes(2);
      availability.onModuleDestroy();
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers a saturated pool with DatabaseBusyError, warning at most once a minute, and passes other errors through', () => {
    const availability = new DatabaseAvailability({} as DataSource);
    for (let i = 0; i < 3; i++)
      expect(availability.translate(new Error('timeout exceeded when trying to connect'))).toBeInstanceOf(
        DatabaseBusyError,
      );
    expect(warn).toHaveBeenCalledTimes(1);
    const other = withCode('23505');
    expect(availability.translate(other)).toBe(other);
  });
});
