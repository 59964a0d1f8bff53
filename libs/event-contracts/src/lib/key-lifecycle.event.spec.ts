import {
  KEY_EVICTING_ACTIONS,
  KEY_LIFECYCLE_ACTIONS,
  KEY_USER_ACTIONS,
  parseKeyLifecycleEvent,
} from './key-lifecycle.event';

describe(parseKeyLifecycleEvent.name, () => {
  const event = {
    event_id: 'e-1',
    type: 'key.lifecycle',
    version: 1,
    occurred_at: '2026-01-01T10:00:00.000Z',
    action: 'revoked',
    key_id: 'k-1',
    user_id: 'u-1',
    actor: 'u-1',
  };

  it('should accept a valid event with or without optional fields', () => {
    expect(parseKeyLifecycleEvent(event).ok).toBe(true);
    expect(parseKeyLifecycleEvent({ ...event, reason: 'lost laptop', expiration_date: null }).ok).toBe(true);
  });

  it('should refuse an unknown action and a bad optional field', () => {
    expect(parseKeyLifecycleEvent({ ...event, action: 'stolen' })).toEqual({
      ok: false,
      reason: "field 'action' is missing or invalid",
    });
    expect(parseKeyLifecycleEvent({ ...event, expiration_date: 'soon' })).toEqual({
      ok: false,
      reason: "field 'expiration_date' is missing or invalid",
    });
  });

  it('should accept a state version, and events without one from older producers', () => {
    expect(parseKeyLifecycleEvent({ ...event, state_version: 3 })).toEqual({
      ok: true,
      value: { ...event, state_version: 3 },
    });
    expect(parseKeyLifecycleEvent({ ...event, state_version: 0 }).ok).toBe(true);
  });

  it('should refuse a state version that is not a non-negative integer', () => {
    for (const state_version of [-1, 1.5, '3'])
      expect(parseKeyLifecycleEvent({ ...event, state_version })).toEqual({
        ok: false,
        reason: "field 'state_version' is missing or invalid",
      });
  });

  it('should accept rotation events with the end of the replaced value, and fields it does not know', () => {
    const rotated = { ...event, action: 'rotated', previous_secret_expires_at: '2026-01-02T10:00:00.000Z' };
    expect(parseKeyLifecycleEvent(rotated)).toEqual({ ok: true, value: rotated });
    expect(parseKeyLifecycleEvent({ ...event, action: 'rotation_ended', added_later: 1 }).ok).toBe(true);
    expect(parseKeyLifecycleEvent({ ...rotated, previous_secret_expires_at: 'tomorrow' })).toEqual({
      ok: false,
      reason: "field 'previous_secret_expires_at' is missing or invalid",
    });
  });

  it('should accept scopes_changed, an action that evicts the key', () => {
    expect(parseKeyLifecycleEvent({ ...event, action: 'scopes_changed', state_version: 4 }).ok).toBe(true);
    expect(KEY_EVICTING_ACTIONS).toContain('scopes_changed');
    expect(KEY_USER_ACTIONS).not.toContain('scopes_changed');
  });

  it('should evict on every action but the two that change no check answer', () => {
    const kept = KEY_LIFECYCLE_ACTIONS.filter((action) => !KEY_EVICTING_ACTIONS.includes(action));
    expect(kept).toEqual(['created', 'expiring']);
  });
});
