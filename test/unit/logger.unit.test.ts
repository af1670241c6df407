import { Writable } from 'node:stream';
import { createLogger } from '../../server/logger';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  test('writes one JSON object per line with level label, time and component', () => {
    const out = capture();
    createLogger({ level: 'info', component: 'api', destination: out.stream }).info({ dossierCode: 'STP-KH-261122-0001' }, 'received');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', component: 'api', dossierCode: 'STP-KH-261122-0001', msg: 'received' });
    expect(typeof line?.time).toBe('string');
  });

  test('respects the configured level', () => {
    const out = capture();
    const log = createLogger({ level: 'warn', destination: out.stream });
    log.info('hidden');
    log.warn('shown');
    expect(out.lines().map((l) => l.msg)).toEqual(['shown']);
  });

  test('personal fields are redacted even when a caller passes them by mistake', () => {
    const out = capture();
    createLogger({ level: 'info', destination: out.stream }).info(
      { dossierCode: 'X-1', fullName: 'Nguyễn Văn A', declaration: { idNumber: '079123456789', phone: '0901234567' }, variables: { email: 'a@b.vn' } },
      'oops',
    );
    // The line's own time is left out: its digits (the wall clock's) could hold any short number.
    const text = JSON.stringify(out.lines().map(({ time: _time, ...rest }) => rest));
    expect(text).not.toMatch(/Nguyễn|079123456789|0901234567|a@b\.vn/);
    expect(text).toContain('X-1');
  });
});
