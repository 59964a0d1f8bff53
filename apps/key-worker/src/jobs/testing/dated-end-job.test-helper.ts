import type {
  ApiKeyRecord,
  ApiKeysRepository,
  AuditRepository,
  KeyEventOf,
  LifecycleEventsPublisher,
  StoredKeyChange,
} from '@rs/key-store';
import { MetricsService } from '@rs/service-kit';
import type { KeyWorkerConfig } from '../../config/key-worker.config';

/** How long the specs' config lets a claim stand before a later run finishes its announcement. */
export const RECOVERY_AFTER_MS = 60_000;

type DatedEndMethod =
  | 'findExpiredUnprocessed'
  | 'findUnannouncedExpiries'
  | 'claimExpiry'
  | 'markExpiryAnnounced'
  | 'findEndedGracesUnprocessed'
  | 'findUnannouncedGraceEnds'
  | 'claimGraceEnd'
  | 'markGraceEndAnnounced';

export interface DatedEndMocks {
  /** Finds nothing; every claim succeeds with the key of the spec's factory. */
  keys: jest.Mocked<Pick<ApiKeysRepository, DatedEndMethod>>;
  audit: jest.Mocked<Pick<AuditRepository, 'record'>>;
  events: jest.Mocked<Pick<LifecycleEventsPublisher, 'publish'>>;
  /** The published events, as announced. */
  published: () => object[];
}

type DatedEndJob<S> = new (
  keys: ApiKeysRepository,
  audit: AuditRepository,
  events: LifecycleEventsPublisher,
  metrics: MetricsService,
  config: Pick<KeyWorkerConfig, 'KEY_EXPIRY_RECOVERY_AFTER_MS'>,
) => S;

/**
 * The collaborators of a job that makes dated ends final (key expiry, rotation grace end): fresh mocks before each
 * test of the enclosing describe block, in objects the spec can keep. A claim answers with the record `key` builds.
 */
export function useDatedEndMocks(key: (id: string) => ApiKeyRecord): DatedEndMocks {
  const claim = async (keyId: string, _end: Date, now: Date, event: KeyEventOf): Promise<StoredKeyChange> => {
    const announced = { ...event(key(keyId)), key_id: keyId, user_id: 'u1' };
    const pending = { event_id: `e-${keyId}`, key_id: keyId, payload: JSON.stringify(announced), created_at: now };
    return { before: key(keyId), after: key(keyId), announced, event: pending };
  };
  const keys = {} as DatedEndMocks['keys'];
  const audit = {} as DatedEndMocks['audit'];
  const events = {} as DatedEndMocks['events'];
  beforeEach(() => {
    Object.assign(keys, {
      findExpiredUnprocessed: jest.fn().mockResolvedValue([]),
      findUnannouncedExpiries: jest.fn().mockResolvedValue([]),
      claimExpiry: jest.fn(claim),
      markExpiryAnnounced: jest.fn().mockResolvedValue(undefined),
      findEndedGracesUnprocessed: jest.fn().mockResolvedValue([]),
      findUnannouncedGraceEnds: jest.fn().mockResolvedValue([]),
      claimGraceEnd: jest.fn(claim),
      markGraceEndAnnounced: jest.fn().mockResolvedValue(undefined),
    });
    audit.record = jest.fn().mockResolvedValue(undefined);
    events.publish = jest.fn().mockResolvedValue(undefined);
  });
  const published = () =>
    events.publish.mock.calls.flatMap(([sent]) => sent.map((event) => JSON.parse(event.payload) as object));
  return { keys, audit, events, published };
}

/** The job under test on the mocks, with the specs' recovery delay. */
export function createDatedEndJob<S>(Job: DatedEndJob<S>, { keys, audit, events }: DatedEndMocks): S {
  return new Job(
    keys as unknown as ApiKeysRepository,
    audit as unknown as AuditRepository,
    events as unknown as LifecycleEventsPublisher,
    new MetricsService(),
    { KEY_EXPIRY_RECOVERY_AFTER_MS: RECOVERY_AFTER_MS },
  );
}
