import test from 'ava';
import { editIdForSource, eventIdFor, isUuid, uuidV4, uuidV5 } from '../domain/ids.ts';

const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

test('uuidV5 matches RFC 4122 reference values (as computed by Python uuid.uuid5)', (t) => {
  t.is(uuidV5('python.org', DNS), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  t.is(uuidV5('https://editledger.dev/ns', URL), '056a80c5-ea96-5117-902f-9df5d9a64ae8');
  t.is(uuidV5('héllo ✓', DNS), '4a45ac82-d56e-53f4-89dd-028be093a327'); // UTF-8 encoding of the name
});

test('uuidV4 is a random version-4 UUID', (t) => {
  const a = uuidV4();
  t.true(isUuid(a));
  t.is(a[14], '4');
  t.not(a, uuidV4());
});

test('edit ids derive deterministically from (system, ref) and never collide across the separator', (t) => {
  t.is(editIdForSource('crm', 'T-1'), editIdForSource('crm', 'T-1'));
  t.not(editIdForSource('crm', 'T-1'), editIdForSource('crm', 'T-2'));
  t.not(editIdForSource('a/b', 'c'), editIdForSource('a', 'b/c'));
  t.not(eventIdFor('EditSubmitted', 'x'), eventIdFor('EditRetracted', 'x'));
  t.is(editIdForSource('crm', 'T-1')[14], '5');
});

test('uuidV5 rejects a namespace that is not a UUID', (t) => {
  t.throws(() => uuidV5('x', 'not-a-uuid'), { message: /namespace/ });
});
