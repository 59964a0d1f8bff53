import { Injectable, NotFoundException } from '@nestjs/common';
import { DomainError } from '@rs/key-domain';
import {
  compareBy,
  featureCollection,
  overlaps,
  parseInterval,
  parseIsoDate,
  parseList,
  parseSortBy,
  STAC_VERSION,
  type StacFeatureCollection,
  type StacItem,
} from '@rs/stac';
import { CADU_SORT_FIELDS, DEFAULT_LIMIT, PLATFORMS } from './cadip.constants';
import type { CaduRecord, SessionRecord } from './cadip.records';
import { CadipRepository } from './cadip.repository';
import type { CaduSearchQueryDto } from './dto/cadu-search-query.dto';
import type { SessionQueryDto } from './dto/session-query.dto';

const SAT_EXTENSION = 'https://stac-extensions.github.io/sat/v1.0.0/schema.json';
const FILE_EXTENSION = 'https://stac-extensions.github.io/file/v2.1.0/schema.json';

/** Session and CADU search rules, answering STAC. */
@Injectable()
export class CadipService {
  constructor(private readonly repository: CadipRepository) {}

  searchSessions(station: string, query: SessionQueryDto, baseUrl: string): StacFeatureCollection {
    const ids = parseList(query.id);
    const platforms = parseList(query.platform)?.map((platform) => {
      const short = platform.toUpperCase();
      if (!PLATFORMS[short])
        throw DomainError.invalidParameter(
          'platform',
          `Unknown platform '${platform.slice(0, 20)}': use ${Object.keys(PLATFORMS).join(', ')}`,
        );
      return short;
    });
    const start = query.start_date ? parseIsoDate(query.start_date, 'start_date') : undefined;
    const stop = query.stop_date ? parseIsoDate(query.stop_date, 'stop_date') : undefined;
    if (!ids && !platforms && !(start && stop)) {
      throw DomainError.invalidParameter(
        'id',
        "Give at least one of 'id', 'platform', or both 'start_date' and 'stop_date'",
      );
    }
    if (start && stop && start > stop)
      throw DomainError.invalidParameter('stop_date', "'stop_date' must not be before 'start_date'");
    const matched = this.repository
      .sessions(station)
      .filter(
        (session) =>
          (!ids || ids.includes(session.id)) &&
          (!platforms || platforms.includes(session.platform)) &&
          (!start || session.start >= start) &&
          (!stop || session.start <= stop),
      );
    const limit = query.limit ?? DEFAULT_LIMIT;
    const features = matched.slice(0, limit).map((session) => this.sessionItem(session, baseUrl));
    return featureCollection(features, matched.length, `${baseUrl}/cadip/${station}/session`);
  }

  searchCadus(station: string, query: CaduSearchQueryDto, baseUrl: string): StacFeatureCollection {
    const interval = parseInterval(query.datetime, 'datetime');
    const sessionIds = parseList(query.session_id);
    const sort = parseSortBy(query.sortby, CADU_SORT_FIELDS, { field: 'datetime', descending: true });
    const items = this.repository
      .cadus(station)
      .filter(
        (cadu) =>
          overlaps(cadu.published, cadu.published, interval) && (!sessionIds || sessionIds.includes(cadu.sessionId)),
      )
      .map((cadu) => this.caduItem(cadu, baseUrl))
      .sort(compareBy((item: StacItem, field) => item.properties[field], sort));
    const limit = query.limit ?? DEFAULT_LIMIT;
    return featureCollection(items.slice(0, limit), items.length, `${baseUrl}/cadip/${station}/cadu/search`);
  }

  cadu(station: string, id: string, baseUrl: string): StacItem {
    return this.caduItem(this.findCadu(station, id), baseUrl);
  }

  /** A small sample payload standing in for the chunk (no real station behind this service). */
  download(station: string, id: string): { fileName: string; content: Buffer } {
    const cadu = this.findCadu(station, id);
    const header = `CADU sample ${cadu.id} session=${cadu.sessionId} channel=${cadu.channel} block=${cadu.blockNumber} size=${cadu.size}\n`;
    return { fileName: cadu.id, content: Buffer.from(header.repeat(8)) };
  }

  private findCadu(station: string, id: string): CaduRecord {
    const cadu = this.repository.cadu(station, id);
    if (!cadu)
      throw new NotFoundException({
        code: 'CADU_NOT_FOUND',
        message: `No CADU file '${id.slice(0, 120)}' at station ${station}`,
      });
    return cadu;
  }

  private sessionItem(session: SessionRecord, baseUrl: string): StacItem {
    const cadus = this.repository.cadus(session.station).filter((cadu) => cadu.sessionId === session.id);
    return {
      type: 'Feature',
      stac_version: STAC_VERSION,
      stac_extensions: [SAT_EXTENSION],
      id: session.id,
      geometry: null,
      properties: {
        datetime: session.start.toISOString(),
        start_datetime: session.start.toISOString(),
        end_datetime: session.end.toISOString(),
        published: session.published.toISOString(),
        platform: PLATFORMS[session.platform],
        'cadip:platform': session.platform,
        'sat:absolute_orbit': session.downlinkOrbit,
        'cadip:station': session.station,
        'cadip:antenna_id': session.antennaId,
        'cadip:num_channels': session.numChannels,
        'cadip:antenna_status_ok': session.antennaStatusOk,
        'cadip:front_end_status_ok': session.frontEndStatusOk,
        'cadip:downlink_status_ok': session.downlinkStatusOk,
        'cadip:delivery_push_ok': session.deliveryPushOk,
      },
      links: [
        {
          rel: 'self',
          href: `${baseUrl}/cadip/${session.station}/session?id=${encodeURIComponent(session.id)}`,
          type: 'application/geo+json',
        },
        {
          rel: 'items',
          href: `${baseUrl}/cadip/${session.station}/cadu/search?session_id=${encodeURIComponent(session.id)}`,
          type: 'application/geo+json',
          title: 'CADU chunks',
        },
      ],
      assets: Object.fromEntries(cadus.map((cadu) => [cadu.id, this.caduAsset(cadu, baseUrl)])),
      collection: `cadip_${session.station.toLowerCase()}`,
    };
  }

  private caduItem(cadu: CaduRecord, baseUrl: string): StacItem {
    return {
      type: 'Feature',
      stac_version: STAC_VERSION,
      stac_extensions: [FILE_EXTENSION],
      id: cadu.id,
      geometry: null,
      properties: {
        datetime: cadu.published.toISOString(),
        created: cadu.published.toISOString(),
        eviction_datetime: cadu.eviction.toISOString(),
        'cadip:id': cadu.uuid,
        'cadip:session_id': cadu.sessionId,
        'cadip:channel': cadu.channel,
        'cadip:block_number': cadu.blockNumber,
        'cadip:final_block': cadu.finalBlock,
        'file:size': cadu.size,
      },
      links: [
        {
          rel: 'self',
          href: `${baseUrl}/cadip/${cadu.station}/cadu/${encodeURIComponent(cadu.id)}`,
          type: 'application/geo+json',
        },
      ],
      assets: { file: this.caduAsset(cadu, baseUrl) },
      collection: `cadip_${cadu.station.toLowerCase()}`,
    };
  }

  private caduAsset(cadu: CaduRecord, baseUrl: string): Record<string, unknown> {
    return {
      href: `${baseUrl}/cadip/${cadu.station}/cadu/${encodeURIComponent(cadu.id)}/download`,
      title: cadu.id,
      type: 'application/octet-stream',
      roles: ['data'],
      'file:size': cadu.size,
    };
  }
}
