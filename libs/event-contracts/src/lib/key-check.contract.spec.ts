import { parseKeyCheckResponse } from './key-check.contract';

const valid = {
  user_id: 'u-1',
  user_login: 'alice',
  iam_roles: ['rs_cadip_ins_read'],
  config: { organization: 'ESA' },
  key_id: 'k-1',
  allowed_referers: [],
  expiration_date: '2026-12-17T10:00:00.000Z',
  never_expire: false,
  state_version: 4,
};

describe(parseKeyCheckResponse.name, () => {
  it("should accept the key manager's answer, and RS-Server's fields alone", () => {
    expect(parseKeyCheckResponse(valid)).toEqual({ ok: true, value: valid });
    const {
      allowed_referers: _referers,
      expiration_date: _date,
      never_expire: _never,
      state_version: _version,
      ...rsServer
    } = valid;
    expect(parseKeyCheckResponse(JSON.stringify(rsServer))).toMatchObject({ ok: true });
  });

  it.each([
    ['user_id', ''],
    ['iam_roles', 'rs_cadip_ins_read'],
    ['config', []],
    ['key_id', undefined],
    ['allowed_referers', [1]],
    ['expiration_date', 'soon'],
    ['never_expire', 'no'],
    ['state_version', -1],
  ])("should name '%s' when it is %j", (field, value) => {
    expect(parseKeyCheckResponse({ ...valid, [field]: value })).toEqual({
      ok: false,
      reason: `field '${field}' is missing or invalid`,
    });
  });
});
