import { BadRequestException } from '@nestjs/common';
import { MAX_KEY_SCOPES } from '@rs/key-domain';
import { createValidationPipe } from '@rs/service-kit';
import { CreateApiKeyQuery, SetApiKeyScopesQuery } from './api-key-query.dto';

const pipe = createValidationPipe();

/** The query as the app's global pipe hands it to the controller (or the 400 it answers). */
function validated<T>(type: new () => T, query: Record<string, unknown>): Promise<T> {
  return pipe.transform(query, { type: 'query', metatype: type }) as Promise<T>;
}

describe(SetApiKeyScopesQuery.name, () => {
  const id = '6f1c1c4e-9a59-4d0b-9e37-1d8f6b1b2c3d';

  it('should read one scope or several, and all_roles as a boolean', async () => {
    await expect(validated(SetApiKeyScopesQuery, { id, scopes: 'rs_cadip_ins_read' })).resolves.toMatchObject({
      scopes: ['rs_cadip_ins_read'],
    });
    await expect(validated(SetApiKeyScopesQuery, { id, all_roles: 'true' })).resolves.toMatchObject({
      all_roles: true,
    });
  });

  it.each([
    ['an empty scope', { scopes: '' }],
    ['a scope with a space', { scopes: ['rs_a read'] }],
    ['too many scopes', { scopes: Array.from({ length: MAX_KEY_SCOPES + 1 }, (_, index) => `r${index}`) }],
    ['all_roles that is not a boolean', { all_roles: 'yes' }],
    ['an unknown parameter', { scope: 'rs_a_read' }],
  ])('should refuse %s with a 400', async (_case, query) => {
    await expect(validated(SetApiKeyScopesQuery, { id, ...query })).rejects.toBeInstanceOf(BadRequestException);
  });

  it('should validate scopes exactly as a new key does', async () => {
    for (const scopes of ['', 'a b', 'x'.repeat(256)]) {
      await expect(validated(CreateApiKeyQuery, { name: 'n', scopes })).rejects.toBeInstanceOf(BadRequestException);
      await expect(validated(SetApiKeyScopesQuery, { id, scopes })).rejects.toBeInstanceOf(BadRequestException);
    }
  });
});
