import { Injectable, NotFoundException } from '@nestjs/common';
import {
  compareBy,
  featureCollection,
  overlaps,
  parseInterval,
  parseList,
  parseSortBy,
  STAC_VERSION,
  type StacFeatureCollection,
  type StacItem,
  type StacLink,
} from '@rs/stac';
import { AUXIP_SORT_FIELDS, AUXIP_STATIONS, DEFAULT_LIMIT } from './auxip.constants';
import type { AuxFileRecord } from './auxip.records';
import { AuxipRepository } from './auxip.repository';
import type { AuxSearchQueryDto } from './dto/aux-search-query.dto';

const EXTENSIONS = [
  'https://stac-extensions.github.io/file/v2.1.0/schema.json',
  'https://stac-extensions.github.io/product/v0.1.0/schema.json',
];

/** The STAC landing page of the Auxip service. */
export interface AuxipLandingPage {
  type: 'Catalog';
  stac_version: string;
  id: string;
  title: string;
  description: string;
  links: StacLink[];
}

/** Auxiliary file search rules, answering STAC. */
@Injectable()
export class AuxipService {
  constructor(private readonly repository: AuxipRepository) {}

  landingPage(baseUrl: string): AuxipLandingPage {
    return {
      type: 'Catalog',
      stac_version: STAC_VERSION,
      id: 'auxip',
      title: 'RS-Server Auxip',
      description: 'Auxiliary files (orbits, meteo, time correlation) of the auxiliary data gathering stations',
      links: [
        { rel: 'self', href: `${baseUrl}/auxip`, type: 'application/json' },
        {
          rel: 'search',
          href: `${baseUrl}/auxip/search`,
          type: 'application/geo+json',
          title: 'Search the default station',
        },
        ...AUXIP_STATIONS.map((station) => ({
          rel: 'child',
          href: `${baseUrl}/auxip/${station}/search`,
          type: 'application/geo+json',
          title: `Search ${station}`,
        })),
        { rel: 'service-doc', href: `${baseUrl}/docs`, type: 'text/html' },
      ],
    };
  }

  search(station: string, query: AuxSearchQueryDto, baseUrl: string, selfPath: string): StacFeatureCollection {
    const interval = parseInterval(query.datetime, 'datetime');
    const productTypes = parseList(query.product_type)?.map((type) => type.toUpperCase());
    const platforms = parseList(query.platform)?.map((platform) => platform.toUpperCase());
    const sort = parseSortBy(query.sortby, AUXIP_SORT_FIELDS, { field: 'datetime', descending: false });
    const items = this.repository
      .files(station)
      .filter(
        (file) =>
          overlaps(file.validityStart, file.validityEnd, interval) &&
          (!productTypes || productTypes.includes(file.productType)) &&
          (!platforms || platforms.includes(file.platform)),
      )
      .map((file) => this.item(file, baseUrl))
      .sort(compareBy((item: StacItem, field) => item.properties[field], sort));
    return featureCollection(items.slice(0, query.limit ?? DEFAULT_LIMIT), items.length, `${baseUrl}${selfPath}`);
  }

  file(station: string, name: string, baseUrl: string): StacItem {
    return this.item(this.find(station, name), baseUrl);
  }

  /** A small sample payload standing in for the file (no real station behind this service). */
  download(station: string, name: string): { fileName: string; content: Buffer } {
    const file = this.find(station, name);
    const content = `<?xml version="1.0"?>\n<Earth_Explorer_File><!-- sample of ${file.name}: ${file.productType}, valid ${file.validityStart.toISOString()} to ${file.validityEnd.toISOString()} --></Earth_Explorer_File>\n`;
    return { fileName: file.name, content: Buffer.from(content) };
  }

  private find(station: string, name: string): AuxFileRecord {
    const file = this.repository.file(station, name);
    if (!file)
      throw new NotFoundException({
        code: 'FILE_NOT_FOUND',
        message: `No auxiliary file '${name.slice(0, 120)}' at station ${station}`,
      });
    return file;
  }

  private item(file: AuxFileRecord, baseUrl: string): StacItem {
    const href = `${baseUrl}/auxip/${file.station}/files/${encodeURIComponent(file.name)}`;
    return {
      type: 'Feature',
      stac_version: STAC_VERSION,
      stac_extensions: EXTENSIONS,
      id: file.name,
      geometry: null,
      properties: {
        datetime: file.validityStart.toISOString(),
        start_datetime: file.validityStart.toISOString(),
        end_datetime: file.validityEnd.toISOString(),
        created: file.created.toISOString(),
        'auxip:id': file.uuid,
        'auxip:station': file.station,
        'product:type': file.productType,
        constellation: `sentinel-${file.platform[1]}`,
        // `S2_` files serve the whole constellation: no single platform.
        ...(file.platform.endsWith('_') ? {} : { platform: `sentinel-${file.platform.slice(1).toLowerCase()}` }),
        'file:size': file.size,
      },
      links: [{ rel: 'self', href, type: 'application/geo+json' }],
      assets: {
        file: {
          href: `${href}/download`,
          title: file.name,
          type: 'application/octet-stream',
          roles: ['data'],
          'file:size': file.size,
        },
      },
      collection: `auxip_${file.station.toLowerCase()}`,
    };
  }
}
