import { errorMessage } from '@rs/service-kit';
import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { AuthPrincipal } from '@rs/auth-guard';
import { CATALOG_CONFIG, type CatalogConfig } from '../config/catalog.config';
import { CatalogRepository } from './catalog.repository';
import { CatalogService } from './catalog.service';
import type { StacCollectionDto } from './dto/stac-collection.dto';
import type { StacItemDto } from './dto/stac-item.dto';
import { SAMPLE_COLLECTIONS } from './catalog.samples';

const RETRY_MS = 5000;

/**
 * Creates the indexes, then the sample collections and items that are missing, through the service (so
 * samples pass the same validation). Runs in the background and retries while the database is down.
 */
@Injectable()
export class CatalogSeeder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CatalogSeeder.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repository: CatalogRepository,
    private readonly catalog: CatalogService,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.attempt();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }

  /** Returns how many samples (collections + items) were inserted. */
  async seed(): Promise<number> {
    await this.repository.ensureIndexes();
    if (!this.config.CATALOG_SEED_SAMPLES) return 0;
    let inserted = 0;
    for (const sample of SAMPLE_COLLECTIONS) {
      const owner: AuthPrincipal = {
        user_id: `seed:${sample.owner}`,
        user_login: sample.owner,
        iam_roles: [],
        config: {},
        auth_method: 'oauth2',
      };
      inserted += await ignoreExisting(() =>
        this.catalog.createCollection(owner, sample.stac as unknown as StacCollectionDto, this.config.PUBLIC_URL),
      );
      for (const item of sample.items) {
        inserted += await ignoreExisting(() =>
          this.catalog.createItem(
            `${sample.owner}:${sample.name}`,
            item as unknown as StacItemDto,
            this.config.PUBLIC_URL,
          ),
        );
      }
    }
    return inserted;
  }

  private async attempt(): Promise<void> {
    try {
      const inserted = await this.seed();
      if (inserted > 0) this.logger.log(`Seeded ${inserted} sample collection(s) and item(s)`);
    } catch (error) {
      this.logger.warn(`Catalog database not ready (${errorMessage(error)}); retrying in ${RETRY_MS} ms`);
      this.timer = setTimeout(() => void this.attempt(), RETRY_MS);
      this.timer.unref();
    }
  }
}

async function ignoreExisting(create: () => Promise<unknown>): Promise<number> {
  try {
    await create();
    return 1;
  } catch (error) {
    if (error instanceof ConflictException) return 0;
    throw error;
  }
}
