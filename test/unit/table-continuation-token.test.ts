import { isWellFormedContinuationToken } from '../../shared/adapters/table/continuation-token';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('isWellFormedContinuationToken', () => {
  it.each<[string, string, boolean]>([
    ['a partition key', encode({ nextPartitionKey: 'ci-0123' }), true],
    ['a partition and row key', encode({ nextPartitionKey: '1!8!Y2k-', nextRowKey: '1!12!c2VydmVy' }), true],
    ['empty', '', false],
    ['not base64', 'not a token!', false],
    ['base64 of text', Buffer.from('hello').toString('base64'), false],
    ['base64 of a number', encode(1), false],
    ['base64 of an array', encode(['a']), false],
    ['a missing partition key', encode({ nextRowKey: 'x' }), false],
    ['an empty partition key', encode({ nextPartitionKey: '' }), false],
    ['a key that is not text', encode({ nextPartitionKey: 5 }), false],
    ['an extra field', encode({ nextPartitionKey: 'a', filter: 'true' }), false],
    ['bad padding', `${encode({ nextPartitionKey: 'abc' })}=`, false],
    ['far too long', encode({ nextPartitionKey: 'a'.repeat(5000) }), false],
  ])('%s → %s', (_name, token, expected) => {
    expect(isWellFormedContinuationToken(token)).toBe(expected);
  });
});
