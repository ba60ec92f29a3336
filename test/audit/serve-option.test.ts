// `serve --audit-interval` is an ordinary serve option: flag or DDGUARD_AUDIT_INTERVAL, a Go duration.
import t from 'tap';
import { resolveServeOptions } from '../../src/webhook/serve-options.js';

t.test('--audit-interval takes a Go duration, off by default', async (t) => {
  t.equal(resolveServeOptions({}, {}).auditInterval, undefined, 'off by default');
  t.equal(resolveServeOptions({ auditInterval: '5m' }, {}).auditInterval, '5m');
  t.equal(resolveServeOptions({}, { DDGUARD_AUDIT_INTERVAL: '1h30m' }).auditInterval, '1h30m');
  t.throws(() => resolveServeOptions({ auditInterval: 'soon' }, {}), /--audit-interval/);
});
