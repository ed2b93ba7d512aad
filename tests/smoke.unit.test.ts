import test from 'ava';
test('toolchain runs TypeScript tests', (t) => {
  t.is([1, 2].map((x) => x * 2).join(','), '2,4');
});
